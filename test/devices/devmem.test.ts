/**
 * /dev/mem in the emulated kernel: who may open it, read/write/lseek as Linux 3.7 does them, and
 * mmap judged by lab.json's devmemPolicy with the caller's euid and kern.securelevel, each
 * decision traced with every policy's verdict on the same request.
 */
import assert from 'node:assert/strict';
import { judgeAll, POLICY_ARCHES, type PolicyArch } from '../../engine/policy';
import { BadInput, type LabSpec } from '../../engine/session/lab';
import type { RunResult } from '../../engine/session/session';
import { VM_IO, VM_PFNMAP } from '../../engine/kernel/mm';
import { dmesgText, makeSession, USER_PRELUDE } from '../helpers/run';

const ERRNO_NAMES = `
static const char *ename(int e) {
  switch (e) { case EPERM: return "EPERM"; case EACCES: return "EACCES"; case EINVAL: return "EINVAL";
  case EFAULT: return "EFAULT"; case EOVERFLOW: return "EOVERFLOW"; case EBUSY: return "EBUSY"; default: return "other"; }
}`;

function program(body: string): string {
  return `${USER_PRELUDE}
#include <stdint.h>
${ERRNO_NAMES}
/* The frame behind a virtual address, from /proc/self/pagemap. */
static unsigned long long pfn_of(void *va) {
  int fd = open("/proc/self/pagemap", O_RDONLY);
  unsigned long long e = 0;
  lseek(fd, (off_t)((uintptr_t)va / 4096) * 8, SEEK_SET);
  read(fd, &e, 8);
  close(fd);
  return e & ((1ULL << 55) - 1);
}
int main(int argc, char **argv) {
  ${body}
  return 0;
}`;
}

/** Maps one page at each "offset[:rw]" argument and prints ok or the errno's name. */
const PROBE = program(`
  int i, rw = 0;
  for (i = 1; i < argc; i++) if (strchr(argv[i], 'w')) rw = 1;
  int fd = open("/dev/mem", rw ? O_RDWR : O_RDONLY);
  if (fd < 0) { printf("open %s\\n", ename(errno)); return 0; }
  for (i = 1; i < argc; i++) {
    unsigned long long off = strtoull(argv[i], 0, 0);
    int prot = strchr(argv[i], 'w') ? PROT_READ | PROT_WRITE : PROT_READ;
    unsigned char *p = mmap(0, 4096, prot, MAP_SHARED, fd, (off_t)off);
    if (p == MAP_FAILED) printf("%s %s\\n", argv[i], ename(errno));
    else { printf("%s ok %02x\\n", argv[i], p[0]); munmap(p, 4096); }
  }`);

interface ProbeRun {
  policy: PolicyArch;
  securelevel: number;
  /** Offsets (with ":rw" for a writable mapping) for a root program and a uid 1000 program. */
  root?: string[];
  user?: string[];
  extra?: Record<string, unknown>;
}

function probe(p: ProbeRun): { r: RunResult; s: ReturnType<typeof makeSession>; out: Record<'root' | 'user', Map<string, string>> } {
  const programs: Record<string, string> = {};
  if (p.root) programs['root.c'] = PROBE;
  if (p.user) programs['user.c'] = PROBE;
  const s = makeSession({
    programs,
    tweak: (lab: LabSpec) => {
      lab.securelevel = p.securelevel;
      lab.extra = { devmemPolicy: p.policy, devmemMode: '0644', ...p.extra };
      for (const prog of lab.programs) {
        const isUser = prog.path.endsWith('user.c');
        prog.uid = prog.gid = isUser ? 1000 : 0;
        prog.args = (isUser ? p.user : p.root) ?? [];
      }
    },
  });
  const r = s.runToEnd();
  const parse = (name: string) => {
    const prog = r.programs.find((x) => x.path.endsWith(name));
    const m = new Map<string, string>();
    for (const line of (prog?.stdout ?? '').split('\n').filter(Boolean)) {
      const [key, ...rest] = line.split(' ');
      m.set(key, rest.join(' '));
    }
    return m;
  };
  return { r, s, out: { root: parse('root.c'), user: parse('user.c') } };
}

describe('/dev/mem: open', () => {
  it('is root:kmem 0640: a non-root program gets EACCES unless lab.json makes the node readable', () => {
    const s = makeSession({ programs: { 'user.c': PROBE }, tweak: (lab) => (lab.programs[0].uid = 1000) });
    assert.equal(s.runToEnd().programs[0].stdout, 'open EACCES\n');
  });

  it("under Linux's rule needs CAP_SYS_RAWIO (euid 0) even when the node is readable", () => {
    const { out } = probe({ policy: 'linux', securelevel: 0, root: ['0x0'], user: ['0x0'] });
    assert.equal(out.root.get('0x0'), 'ok 00');
    assert.equal(out.user.get('open'), 'EPERM');
  });

  it('under a BSD rule lets anyone who can open it read, and refuses writing at securelevel >= 1', () => {
    const at1 = probe({ policy: 'amd64', securelevel: 1, root: ['0x0:rw'], user: ['0x0'], extra: { devmemMode: '0666' } });
    assert.equal(at1.out.root.get('open'), 'EPERM');
    assert.equal(at1.out.user.get('0x0'), 'ok 00');
    const at0 = probe({ policy: 'amd64', securelevel: 0, root: ['0x0:rw'] });
    assert.equal(at0.out.root.get('0x0:rw'), 'ok 00');
  });
});

describe('/dev/mem: read, write and lseek (Linux 3.7)', () => {
  const RW = program(`
    int fd = open("/dev/mem", O_RDWR);
    char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(page, "a page of the program");
    unsigned long long pa = pfn_of(page) * 4096;
    char buf[32] = { 0 };
    lseek(fd, (off_t)pa, SEEK_SET);
    long n = read(fd, buf, 21);
    printf("read %ld: %s\\n", n, n > 0 ? buf : ename(errno));
    printf("position %s\\n", lseek(fd, 0, SEEK_CUR) == (off_t)(pa + 21) ? "advanced" : "stuck");
    lseek(fd, (off_t)pa, SEEK_SET);
    n = write(fd, "A PAGE", 6);
    printf("write %ld: %s\\n", n, n > 0 ? page : ename(errno));
    lseek(fd, 0x1000, SEEK_SET);
    printf("first MiB %ld\\n", (long)read(fd, buf, 16));
    lseek(fd, 128 << 20, SEEK_SET);
    n = read(fd, buf, 16); printf("past high_memory %s\\n", n < 0 ? ename(errno) : "read");
    lseek(fd, (128 << 20) - 8, SEEK_SET);
    n = read(fd, buf, 16); printf("across high_memory %s\\n", n < 0 ? ename(errno) : "read");
    errno = 0; printf("SEEK_END %s\\n", lseek(fd, 0, SEEK_END) < 0 ? ename(errno) : "ok");
    errno = 0; printf("near 2^64 %s\\n", lseek(fd, (off_t)0xfffffffffffff800ULL, SEEK_SET) == -1 ? ename(errno) : "ok");`);

  it('reads and writes RAM when CONFIG_STRICT_DEVMEM is off, and keeps to high_memory', () => {
    const s = makeSession({ programs: { 'p.c': RW }, tweak: (lab) => (lab.extra = { machine: { linux: { strictDevmem: false } } }) });
    const r = s.runToEnd();
    assert.equal(
      r.programs[0].stdout,
      'read 21: a page of the program\nposition advanced\nwrite 6: A PAGE of the program\nfirst MiB 16\npast high_memory EFAULT\nacross high_memory EFAULT\nSEEK_END EINVAL\nnear 2^64 EOVERFLOW\n',
    );
  });

  it('refuses System RAM with EPERM under CONFIG_STRICT_DEVMEM and says which program tried', () => {
    const r = makeSession({ programs: { 'p.c': RW } }).runToEnd();
    assert.match(r.programs[0].stdout, /^read -1: EPERM\n/);
    assert.match(r.programs[0].stdout, /write -1: EPERM\n/);
    assert.match(r.programs[0].stdout, /first MiB 16\n/);
    assert.match(dmesgText(r), /Program p tried to access \/dev\/mem between [0-9a-f]+000->[0-9a-f]+015\./);
  });
});

describe('/dev/mem: mmap judged by the selected policy', () => {
  /** [policy, securelevel, euid, offset(:rw), expected] — one or two per edge of FACTS §D, 128 MiB machines. */
  const CASES: [PolicyArch, number, 0 | 1000, string, string][] = [
    ['i386', 1, 1000, '0x9f000', 'ok'], // pa - start == size of cluster 0: the <= admits it
    ['i386', 1, 1000, '0xa0000', 'EINVAL'],
    ['i386', 1, 1000, '0x7ff0000', 'ok'], // end of cluster 1, admitted again
    ['i386', 1, 1000, '0x7ff1000', 'EINVAL'],
    ['i386', 1, 0, '0x10000000', 'EINVAL'], // root does not matter to i386
    ['i386', 0, 1000, '0x10000000', 'ok'],
    ['amd64', 1, 1000, '0x7f8f000', 'ok'], // off == ctob(physmem) passes the >
    ['amd64', 1, 1000, '0x7f90000', 'EINVAL'],
    ['amd64', 1, 0, '0x7f90000', 'ok'],
    ['amd64', 1, 1000, '0xa0000', 'ok'], // holes are not noticed
    ['vax', 1, 1000, '0x8000000', 'ok'], // (u_int)off == ctob(physmem)
    ['vax', 1, 1000, '0x8001000', 'EINVAL'],
    ['powerpc', 1, 1000, '0x7fff000', 'ok'],
    ['powerpc', 1, 1000, '0x8000000', 'EINVAL'], // atop(off) >= physmem
    ['powerpc', 1, 0, '0x8000000', 'ok'],
    ['hp300', 1, 1000, '0xfffff000', 'ok'], // only the last 4 bytes are out
    ['hp300', 1, 0, '0x100000', 'EINVAL'], // below lowram, whoever asks
    ['sun3', 1, 0, '0x100000', 'EINVAL'], // the kernel image below avail_start
    ['sun3', 1, 1000, '0x180000', 'ok'],
    ['sun3', 1, 0, '0x7ffc000', 'EINVAL'], // avail_end
    ['alpha', 1, 1000, '0x100000', 'ok'], // the PALcode cluster is readable
    ['alpha', 0, 0, '0x100000:rw', 'EINVAL'], // ...but not writable
    ['alpha', 0, 0, '0x10000000:rw', 'ok'], // outside every cluster at securelevel 0: RW
    ['alpha', 1, 1000, '0x10000000', 'EINVAL'], // ...and NONE above 0
    ['netbsd4', 1, 1000, '0x200000', 'ok'],
    ['netbsd4', 1, 1000, '0x10000000', 'EINVAL'],
    ['netbsd4', 1, 0, '0x10000000', 'EINVAL'], // unmanaged memory needs euid 0 and securelevel <= 0
    ['netbsd4', 0, 0, '0x10000000', 'ok'],
    ['linux', 0, 0, '0x0', 'ok'], // the first MiB
    ['linux', 0, 0, '0x200000', 'EPERM'], // System RAM
    ['linux', 0, 0, '0x7ff0000', 'ok'], // the ACPI tables at the top are not System RAM
    ['linux', 0, 0, '0x10000000', 'ok'],
  ];

  const groups = new Map<string, { policy: PolicyArch; securelevel: number; root: string[]; user: string[] }>();
  for (const [policy, securelevel, euid, off] of CASES) {
    const key = `${policy}@${securelevel}`;
    const g = groups.get(key) ?? { policy, securelevel, root: [], user: [] };
    (euid === 0 ? g.root : g.user).push(off);
    groups.set(key, g);
  }

  for (const g of groups.values()) {
    it(`${g.policy} at securelevel ${g.securelevel}: the mapping follows ${g.policy}'s verdict, and the trace holds every policy's`, () => {
      const { r, s, out } = probe({ ...g, root: g.root.length ? g.root : undefined, user: g.user.length ? g.user : undefined });
      if (g.policy === 'linux') assert.match(dmesgText(r), /Program root tried to access \/dev\/mem between 200000->201000\./);
      for (const [policy, securelevel, euid, off, expected] of CASES) {
        if (policy !== g.policy || securelevel !== g.securelevel) continue;
        const got = out[euid === 0 ? 'root' : 'user'].get(off);
        assert.ok(got?.startsWith(expected), `${policy} sl ${securelevel} euid ${euid} ${off}: got ${got}, want ${expected}`);
      }
      const trace = s.devmemTrace();
      assert.equal(trace.length, g.root.length + g.user.length);
      for (const t of trace) {
        assert.equal(t.policy, g.policy);
        assert.equal(t.securelevel, g.securelevel);
        assert.deepEqual(t.verdicts.map((v) => v.arch), [...POLICY_ARCHES]);
        const req = { offset: BigInt(t.offsetHex), lengthBytes: t.lengthBytes, prot: { read: true, write: t.prot === 'rw' } };
        assert.deepEqual(t.verdicts, judgeAll(req, { euid: t.euid }, s.kernel.devmem.machines, t.securelevel));
        const chosen = t.verdicts.find((v) => v.arch === g.policy)!;
        assert.equal(t.allowed, chosen.allowed);
        assert.equal(t.errno, chosen.allowed ? undefined : chosen.errno);
      }
      assert.doesNotThrow(() => JSON.stringify(trace));
    });
  }

  it('maps the frames themselves: RAM shows its bytes, an address no RAM answers reads 0xff, the VMA is VM_IO|VM_PFNMAP', () => {
    const src = program(`
      int fd = open("/dev/mem", O_RDONLY);
      char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      strcpy(page, "seen through /dev/mem");
      char *ram = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, (off_t)(pfn_of(page) * 4096));
      unsigned char *hole = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0x10000000);
      printf("%s / %02x %02x\\n", ram, hole[0], hole[4095]);
      strcpy(page, "changed");
      printf("%s\\n", ram);`);
    const s = makeSession({ programs: { 'p.c': src }, tweak: (lab) => (lab.extra = { devmemPolicy: 'amd64' }) });
    const line = src.split('\n').findIndex((l) => l.includes('strcpy(page, "changed")')) + 1;
    s.setLineBreakpoints('t/p.c', [{ line }]);
    assert.equal(s.run(1e8), 'stopped');
    const mm = s.currentTask!.mm!;
    const fileOf = (v: number) => s.kernel.structs.get('vm_area_struct').num(v, 'vm_file');
    const devmemVmas = mm.vmas().filter((v) => fileOf(v) !== 0 && s.kernel.vfs.describeFile(fileOf(v)).path === '/dev/mem');
    assert.equal(devmemVmas.length, 2);
    for (const v of devmemVmas) assert.equal(mm.vmaFlags(v) & (VM_IO | VM_PFNMAP), VM_IO | VM_PFNMAP);
    s.setLineBreakpoints('t/p.c', []);
    assert.equal(s.run(1e8), 'done');
    assert.equal(s.result().programs[0].stdout, 'seen through /dev/mem / ff ff\nchanged\n');
  });
});

describe('kern.securelevel', () => {
  const SL = program(`
    char line[16] = { 0 };
    FILE *f = fopen("/proc/sys/kern/securelevel", "r");
    fgets(line, sizeof line, f); fclose(f);
    printf("now %s", line);
    for (int i = 1; i < argc; i++) {
      int fd = open("/proc/sys/kern/securelevel", O_WRONLY);
      if (fd < 0) { printf("%s: open %s\\n", argv[i], ename(errno)); continue; }
      long n = write(fd, argv[i], strlen(argv[i]));
      printf("%s: %s\\n", argv[i], n < 0 ? ename(errno) : "ok");
      close(fd);
      if (n > 0) {
        int mem = open("/dev/mem", O_RDONLY);
        void *p = mmap(0, 4096, PROT_READ, MAP_SHARED, mem, 0x10000000);
        printf("  map: %s\\n", p == MAP_FAILED ? ename(errno) : "ok");
        close(mem);
      }
    }`);

  it('only rises: root raises it, lowering is EPERM, and the policies judge by the new level at once', () => {
    const s = makeSession({
      programs: { 'p.c': SL },
      tweak: (lab) => {
        lab.extra = { devmemPolicy: 'i386' };
        lab.programs[0].args = ['0', '1', '0', '-1', '1', '2', 'x'];
      },
    });
    const r = s.runToEnd();
    assert.equal(r.programs[0].stdout, 'now 0\n0: ok\n  map: ok\n1: ok\n  map: EINVAL\n0: EPERM\n-1: EPERM\n1: ok\n  map: EINVAL\n2: ok\n  map: EINVAL\nx: EINVAL\n');
    assert.equal(s.kernel.securelevel, 2);
    assert.deepEqual(s.devmemTrace().map((t) => `${t.securelevel}:${t.allowed}`), ['0:true', '1:false', '1:false', '2:false']);
    assert.match(dmesgText(r), /kern\.securelevel: 0 -> 1\n.*kern\.securelevel: 1 -> 2/s);
  });

  it('answers a bad user buffer with EFAULT, not an oops', () => {
    const src = program(`int fd = open("/proc/sys/kern/securelevel", O_RDWR);
      long r = read(fd, (void *)16, 8); int re = errno;
      long w = write(fd, (void *)16, 8);
      printf("%ld %s %ld %s\\n", r, ename(re), w, ename(errno));`);
    const r = makeSession({ programs: { 'p.c': src } }).runToEnd();
    assert.equal(r.programs[0].stdout, '-1 EFAULT -1 EFAULT\n');
    assert.deepEqual(r.oops, []);
  });

  it('starts where lab.json puts it, and is read-only to everyone but root', () => {
    const s = makeSession({
      programs: { 'p.c': SL },
      tweak: (lab) => {
        lab.securelevel = 2;
        lab.programs[0].uid = 1000;
        lab.programs[0].args = ['3'];
      },
    });
    assert.equal(s.runToEnd().programs[0].stdout, 'now 2\n3: open EACCES\n');
  });
});

describe('/dev/mem: lab.json', () => {
  const lab = (extra: Record<string, unknown>) => () => makeSession({ programs: { 'p.c': PROBE }, tweak: (l) => (l.extra = extra) });

  it('rejects an unknown policy, a bad machine override and a bad mode as bad input', () => {
    assert.throws(lab({ devmemPolicy: 'sparc' }), (e) => e instanceof BadInput && /devmemPolicy: "sparc" is not one of i386, amd64/.test(e.message));
    assert.throws(lab({ machine: { i386: { physmemPages: 'lots' } } }), (e) => e instanceof BadInput && /machine: machines\.i386\.physmemPages/.test(e.message));
    assert.throws(lab({ devmemMode: 'rw' }), (e) => e instanceof BadInput && /devmemMode/.test(e.message));
  });

  it("judges each arch on its machine sized for this RAM, with lab.json's overrides", () => {
    const s = lab({ machine: { amd64: { physmemBytes: '64MiB' }, sun3: { ramBytes: '8MiB' } } })();
    const m = s.kernel.devmem.machines;
    assert.equal(m.amd64.physmemPages, 16384);
    assert.equal(m.i386.physmemPages, 32655); // 639 KiB of base memory + 128 MiB - 1 MiB - 64 KiB, in pages
    assert.equal(m.sun3.availEnd, 8n * 2n ** 20n - 16384n);
    assert.equal(m.powerpc.clusters[0].sizeBytes, 128n * 2n ** 20n);
  });
});
