/** File system calls around a driver's file_operations: pread/pwrite positions. */
import assert from 'node:assert/strict';
import { dmesgText, miscDriver, run, USER_PRELUDE } from '../helpers/run';

const POS_DRIVER = miscDriver(
  'pos',
  `static ssize_t pos_read(struct file *f, char __user *b, size_t n, loff_t *ppos)
{
	char c = 'a' + (char)(*ppos % 26);
	if (put_user(c, b))
		return -EFAULT;
	*ppos += 1;
	return 1;
}
static ssize_t pos_write(struct file *f, const char __user *b, size_t n, loff_t *ppos)
{
	pr_info("pos: write of %zu at %lld\\n", n, *ppos);
	*ppos += n;
	return n;
}`,
  '.read = pos_read, .write = pos_write, .llseek = default_llseek,',
);

describe('pread and pwrite', () => {
  it('read at the given position and leave the file position alone', () => {
    const prog = `${USER_PRELUDE}
int main(void)
{
	char c = 0;
	int fd = open("/dev/pos", O_RDWR);
	if (fd < 0) return 1;
	if (pread(fd, &c, 1, 3) != 1) return 2;
	printf("pread at 3: %c, position %ld\\n", c, (long)lseek(fd, 0, SEEK_CUR));
	if (read(fd, &c, 1) != 1) return 3;
	printf("read: %c\\n", c);
	if (pwrite(fd, "xyz", 3, 40) != 3) return 4;
	printf("pread at -1: %ld\\n", (long)pread(fd, &c, 1, -1));
	return 0;
}`;
    const r = run({ drivers: { 'pos.c': POS_DRIVER }, programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'pread at 3: d, position 0\nread: a\npread at -1: -1\n', dmesgText(r));
    assert.match(dmesgText(r), /pos: write of 3 at 40/);
  });
});

describe('/proc reads into a bad user buffer', () => {
  it('return EFAULT from seq_read and pagemap_read instead of an oops', () => {
    const prog = `${USER_PRELUDE}
int main(void)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int maps = open("/proc/self/maps", O_RDONLY), pm = open("/proc/self/pagemap", O_RDONLY);
	long a = read(maps, ro, 100);
	int ea = errno;
	long b = read(pm, (void *)16, 8);
	printf("maps %ld/%d pagemap %ld/%d\\n", a, ea, b, errno);
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.deepEqual(r.oops, []);
    assert.equal(r.programs[0].stdout, 'maps -1/14 pagemap -1/14\n', dmesgText(r));
  });
});

describe('stat', () => {
  it('describes device nodes and /proc files by path, and says ENOENT for the rest', () => {
    const prog = `${USER_PRELUDE}
#include <sys/stat.h>
int main(void)
{
	struct stat st;
	int r = stat("/dev/null", &st);
	printf("null: %d %s %o %lx\\n", r, S_ISCHR(st.st_mode) ? "chr" : "?", (unsigned)(st.st_mode & 0777), (unsigned long)st.st_rdev);
	r = stat("/proc/self/maps", &st);
	printf("maps: %d %s\\n", r, S_ISREG(st.st_mode) ? "reg" : "?");
	r = stat("/nope", &st);
	printf("nope: %d/%d\\n", r, errno);
	r = stat((char *)8, &st);
	printf("bad: %d/%d\\n", r, errno);
	return 0;
}`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'null: 0 chr 666 103\nmaps: 0 reg\nnope: -1/2\nbad: -1/14\n', dmesgText(r));
  });
});
