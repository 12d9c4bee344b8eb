/** /dev/null and /dev/zero as Linux 3.7's drivers/char/mem.c has them. */
import assert from 'node:assert/strict';
import { makeSession, run, USER_PRELUDE } from '../helpers/run';

function program(body: string): string {
  return `${USER_PRELUDE}
#include <sys/stat.h>
int main(void) {
  ${body}
  return 0;
}`;
}

describe('/dev/null and /dev/zero', () => {
  it('/dev/null reads nothing, swallows writes and always seeks to 0', () => {
    const r = run({
      programs: {
        'p.c': program(`int fd = open("/dev/null", O_RDWR); char buf[8] = "xxxxxxx";
          printf("read %ld write %ld seek %ld %s\\n", (long)read(fd, buf, 8), (long)write(fd, "abc", 3), (long)lseek(fd, 1234, SEEK_SET), buf);`),
      },
    });
    assert.equal(r.programs[0].stdout, 'read 0 write 3 seek 0 xxxxxxx\n');
  });

  it('/dev/zero reads zeros a page at a time, stops at the first fault, and EFAULTs when nothing was written', () => {
    const r = run({
      programs: {
        'p.c': program(`int fd = open("/dev/zero", O_RDONLY);
          char *buf = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          memset(buf, 'x', 3 * 4096);
          long n = read(fd, buf + 100, 10000);
          int zeros = 0; for (int i = 0; i < 3 * 4096; i++) zeros += buf[i] == 0;
          printf("read %ld zeros %d around %c%c\\n", n, zeros, buf[99], buf[10100]);
          munmap(buf + 8192, 4096);
          printf("short %ld\\n", (long)read(fd, buf + 4096, 8192));
          errno = 0; printf("bad %ld %s\\n", (long)read(fd, buf + 8192, 10), strerror(errno));
          printf("seek %ld write %ld\\n", (long)lseek(fd, 99, SEEK_CUR), (long)write(open("/dev/zero", O_WRONLY), "abc", 3));`),
      },
    });
    assert.equal(r.programs[0].stdout, 'read 10000 zeros 10000 around xx\nshort 4096\nbad -1 Bad address\nseek 0 write 3\n');
  });

  it('maps /dev/zero as zeroed anonymous memory, private or shared', () => {
    const r = run({
      programs: {
        'p.c': program(`int fd = open("/dev/zero", O_RDWR);
          char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
          char *s = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
          printf("%d %d ", p[5000], s[5000]);
          strcpy(p + 4096, "private"); strcpy(s, "shared");
          printf("%s %s\\n", p + 4096, s);`),
      },
    });
    assert.equal(r.programs[0].stdout, '0 0 private shared\n');
  });

  it('makes the nodes udev would: null and zero 0666, mem 0640 (or what lab.json says)', () => {
    const src = program(`const char *n[] = { "/dev/null", "/dev/zero", "/dev/mem" };
      for (int i = 0; i < 3; i++) { struct stat st; int fd = open(n[i], O_RDONLY);
        if (fd < 0) { printf("%s: %s\\n", n[i], strerror(errno)); continue; }
        fstat(fd, &st); printf("%s: %s %o\\n", n[i], S_ISCHR(st.st_mode) ? "char" : "?", st.st_mode & 0777); }`);
    const asUser = makeSession({ programs: { 'p.c': src }, tweak: (lab) => (lab.programs[0].uid = 1000) }).runToEnd();
    assert.equal(asUser.programs[0].stdout, '/dev/null: char 666\n/dev/zero: char 666\n/dev/mem: Permission denied\n');
    const asRoot = makeSession({ programs: { 'p.c': src }, tweak: (lab) => (lab.extra = { devmemMode: '0444' }) }).runToEnd();
    assert.match(asRoot.programs[0].stdout, /\/dev\/mem: char 444\n$/);
  });
});
