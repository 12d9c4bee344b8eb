/**
 * /dev/ksyms with FreeBSD's semantics (FACTS §E), driven through the session by user programs:
 * one open per process, the snapshot in the opener's address space, KIOCGSIZE/KIOCGADDR, read,
 * mmap through the opener's page tables, close, module unload refused while open, and the image
 * a program reads checked by binutils' readelf against /proc/kallsyms.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ksymsImageLayout } from '../../engine/format/elf';
import { EBUSY, ENOENT } from '../../engine/kernel/errno';
import type { ArchChoice } from '../../engine/session/lab';
import type { Session } from '../../engine/session/session';
import { dmesgText, makeSession, USER_PRELUDE } from '../helpers/run';

const READELF = '/usr/bin/readelf';
const GiB = 2 ** 30;

function program(body: string): string {
  return `${USER_PRELUDE}
#include <stdint.h>
/* FreeBSD's <sys/ksyms.h>: _IOR('l', n, ...) with FreeBSD's encoding (IOC_OUT = 0x40000000). */
#define KIOCGSIZE (0x40006c01UL | (sizeof(size_t) << 16))
#define KIOCGADDR (0x40006c02UL | (sizeof(void *) << 16))
static const char *ename(int e) {
  switch (e) { case EBUSY: return "EBUSY"; case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; case ENOTTY: return "ENOTTY"; default: return strerror(e); }
}
/* The /proc/self/maps line that covers va, or "none". */
static void show_map(const char *what, void *va) {
  char line[256]; FILE *f = fopen("/proc/self/maps", "r"); int found = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi; sscanf(line, "%lx-%lx", &lo, &hi);
    if ((uintptr_t)va >= lo && (uintptr_t)va < hi) { printf("%s: %s", what, line); found = 1; }
  }
  fclose(f);
  if (!found) printf("%s: none\\n", what);
}
int main(void) {
  ${body}
  return 0;
}`;
}

function session(body: string, arch: ArchChoice = 'x86_64'): Session {
  return makeSession({ programs: { 'p.c': program(body) }, tweak: (lab) => (lab.arch = arch) });
}

function lineOf(s: Session, text: string): number {
  const src = s.files.readFile('t/p.c')!;
  const i = src.split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line with ${text}`);
  return i + 1;
}

describe('/dev/ksyms: open, ioctl, read', () => {
  it('allows one open per process (EBUSY for a second), and another after close', () => {
    const r = session(`int a = open("/dev/ksyms", O_RDONLY), b = open("/dev/ksyms", O_RDONLY);
      printf("first %s, second %s\\n", a >= 0 ? "ok" : ename(errno), b >= 0 ? "ok" : ename(errno));
      close(a);
      printf("after close %s\\n", open("/dev/ksyms", O_RDONLY) >= 0 ? "ok" : ename(errno));`).runToEnd();
    assert.equal(r.programs[0].stdout, 'first ok, second EBUSY\nafter close ok\n');
  });

  it('writes the snapshot at round_page(data + RLIMIT_DATA) and reports it with KIOCGSIZE and KIOCGADDR', () => {
    const s = session(`int fd = open("/dev/ksyms", O_RDONLY);
      size_t size = 0; char *addr = 0;
      printf("cmds %#lx %#lx\\n", (unsigned long)KIOCGSIZE, (unsigned long)KIOCGADDR);
      printf("size %d %zu\\n", ioctl(fd, KIOCGSIZE, &size), size);
      printf("addr %d %p\\n", ioctl(fd, KIOCGADDR, &addr), (void *)addr);
      errno = 0; printf("linux _IOR %d %s\\n", ioctl(fd, _IOR('l', 1, size_t), &size), ename(errno));
      errno = 0; printf("bad pointer %d %s\\n", ioctl(fd, KIOCGSIZE, (void *)16), ename(errno));
      printf("magic %.3s class %d osabi %d\\n", addr + 1, addr[4], addr[7]);
      show_map("snapshot", addr);
      return 0;`);
    const line = lineOf(s, 'show_map("snapshot"');
    s.setLineBreakpoints('t/p.c', [{ line }]);
    assert.equal(s.run(1e8), 'stopped');
    const startData = s.currentTask!.mm!.get('start_data');
    s.setLineBreakpoints('t/p.c', []);
    s.run(1e8);
    const out = s.result().programs[0].stdout;
    const size = ksymsImageLayout(s.kernel.ksyms.linkerFiles(), { elfClass: 64, machine: 'x86_64' }).totalSizeBytes;
    const addr = Math.ceil((startData + 32 * GiB) / 4096) * 4096;
    const end = addr + Math.ceil(size / 4096) * 4096;
    assert.equal(
      out,
      `cmds 0x40086c01 0x40086c02\nsize 0 ${size}\naddr 0 0x${addr.toString(16)}\nlinux _IOR -1 ENOTTY\nbad pointer -1 EFAULT\n` +
        `magic ELF class 2 osabi 9\nsnapshot: ${addr.toString(16)}-${end.toString(16)} rw-p 00000000 00:00 0 \n`,
    );
  });

  it('reads the snapshot back out of the process: to the end, EFAULT past it, and whatever the process wrote there', () => {
    const r = session(`int fd = open("/dev/ksyms", O_RDONLY);
      size_t size; char *addr; ioctl(fd, KIOCGSIZE, &size); ioctl(fd, KIOCGADDR, &addr);
      char *copy = malloc(size + 100);
      long n = read(fd, copy, size + 100);
      printf("read %ld of %zu, same %d\\n", n, size, memcmp(copy, addr, size) == 0);
      printf("at the end %ld\\n", (long)read(fd, copy, 10));
      lseek(fd, size + 1, SEEK_SET); errno = 0;
      printf("past the end %ld %s\\n", (long)read(fd, copy, 10), ename(errno));
      memcpy(addr + 1, "FLE", 3);
      lseek(fd, 0, SEEK_SET); read(fd, copy, 4);
      printf("after a store %.3s\\n", copy + 1);`).runToEnd();
    assert.match(r.programs[0].stdout, /^read (\d+) of \1, same 1\nat the end 0\npast the end -1 EFAULT\nafter a store FLE\n$/);
  });
});

describe('/dev/ksyms: mmap and close', () => {
  it("maps the snapshot's own frames again, refuses private mappings, and lets offset == round_page(size) through", () => {
    const r = session(`int fd = open("/dev/ksyms", O_RDONLY);
      size_t size; char *addr; ioctl(fd, KIOCGSIZE, &size); ioctl(fd, KIOCGADDR, &addr);
      size_t rounded = (size + 4095) & ~4095UL;
      char *m = mmap(0, rounded, PROT_READ, MAP_SHARED, fd, 0);
      printf("shared %s\\n", m == MAP_FAILED ? ename(errno) : memcmp(m, addr, size) == 0 ? "same bytes" : "different");
      addr[0] = 'K'; printf("one frame: %c\\n", m[0]);
      errno = 0; printf("private %s\\n", mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? ename(errno) : "ok");
      errno = 0; printf("past the page after %s\\n", mmap(0, 4096, PROT_READ, MAP_SHARED, fd, rounded + 4096) == MAP_FAILED ? ename(errno) : "ok");
      errno = 0; printf("the page after, unmapped %s\\n", mmap(0, 4096, PROT_READ, MAP_SHARED, fd, rounded) == MAP_FAILED ? ename(errno) : "ok");
      char *next = mmap(addr + rounded, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      strcpy(next, "not a symbol");
      char *after = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, rounded);
      printf("the page after, mapped: %s\\n", after == MAP_FAILED ? ename(errno) : after);`).runToEnd();
    assert.equal(
      r.programs[0].stdout,
      'shared same bytes\none frame: K\nprivate EINVAL\npast the page after EINVAL\nthe page after, unmapped EINVAL\nthe page after, mapped: not a symbol\n',
    );
  });

  it('unmaps the snapshot and frees its state on close, and on exit', () => {
    const s = session(`int fd = open("/dev/ksyms", O_RDONLY);
      char *addr; ioctl(fd, KIOCGADDR, &addr);
      show_map("open", addr);
      close(fd);
      show_map("closed", addr);
      fd = open("/dev/ksyms", O_RDONLY);`);
    const r = s.runToEnd();
    assert.match(r.programs[0].stdout, /^open: [0-9a-f]+-[0-9a-f]+ rw-p .*\nclosed: none\n$/);
    assert.deepEqual(s.kernel.ksyms.opens(), []);
    assert.deepEqual(s.kernel.slab.leaksOf('ksyms'), []);
  });

  it('refuses to unload the module while a process has /dev/ksyms open, and unloads it after', () => {
    const s = session(`int fd = open("/dev/ksyms", O_RDONLY);
      printf("opened %d\\n", fd);
      close(fd);`);
    s.setLineBreakpoints('t/p.c', [{ line: lineOf(s, 'printf("opened') }]);
    assert.equal(s.run(1e8), 'stopped');
    const k = s.kernel;
    assert.equal(k.ksyms.opens().length, 1);
    assert.equal(k.ksyms.unload(), -EBUSY);
    assert.ok(k.vfs.nodes.has('/dev/ksyms'));
    s.setLineBreakpoints('t/p.c', []);
    assert.equal(s.run(1e8), 'done');
    assert.match(dmesgText(s.result()), /ksyms: unload refused, \/dev\/ksyms is open \(EBUSY\)/);
    const openAddr = k.ksyms.addressOf('ksyms_open');
    assert.equal(k.ksyms.unload(), 0);
    assert.equal(k.vfs.nodes.has('/dev/ksyms'), false);
    assert.equal(k.kallsyms.list().filter((x) => x.module === 'ksyms').length, 0);
    assert.equal(k.resolve(openAddr), undefined);
    assert.equal(k.ksyms.unload(), -ENOENT);
  });
});

describe('/dev/ksyms: three tries for a snapshot whose size holds still', () => {
  const OPEN = `int fd = open("/dev/ksyms", O_RDONLY);
    printf("%s\\n", fd >= 0 ? "opened" : strerror(errno));
    FILE *f = fopen("/proc/self/maps", "r"); char line[256]; int anon = 0;
    while (fgets(line, sizeof line, f)) anon += strstr(line, "rw-p 00000000 00:00 0 \\n") != 0 && line[0] == '8';
    printf("snapshot mappings %d\\n", anon);`;

  /** Makes the symbol tables grow by one symbol at each of the first `changes` looks. */
  function shifting(s: Session, changes: number): () => number {
    const k = s.kernel.ksyms;
    const real = k.linkerFiles.bind(k);
    let calls = 0;
    k.linkerFiles = () => {
      calls++;
      const files = real();
      const extra = Math.min(calls, changes);
      for (let i = 0; i < extra; i++) files[0].symbols.push({ name: `loaded_meanwhile_${i}`, value: 0n, sizeBytes: 0n, type: 'notype', bind: 'global' });
      return files;
    };
    return () => calls;
  }

  it('retries when the tables changed between sizing and writing, and succeeds once they hold still', () => {
    const s = session(OPEN);
    const calls = shifting(s, 2);
    assert.equal(s.runToEnd().programs[0].stdout, 'opened\nsnapshot mappings 1\n');
    // Try 1 sized one table and wrote a bigger one (ENXIO); try 2 saw the same size twice.
    assert.equal(calls(), 4);
  });

  it('gives up with ENXIO after three tries, leaving nothing mapped and nothing allocated', () => {
    const s = session(OPEN);
    const calls = shifting(s, 99);
    assert.equal(s.runToEnd().programs[0].stdout, 'No such device or address\nsnapshot mappings 0\n');
    assert.equal(calls(), 6);
    assert.deepEqual(s.kernel.ksyms.opens(), []);
    assert.deepEqual(s.kernel.slab.leaksOf('ksyms'), []);
  });
});

describe('/dev/ksyms: the driver is a module', () => {
  it('lists its functions and globals in /proc/kallsyms as [ksyms] symbols in the modules area', () => {
    const s = session(`FILE *f = fopen("/proc/kallsyms", "r"); char line[256];
      while (fgets(line, sizeof line, f)) if (strstr(line, "[ksyms]")) fputs(line, stdout);`);
    const out = s.runToEnd().programs[0].stdout;
    const modulesStart = BigInt.asUintN(64, BigInt(s.kernel.arch.layout.modulesStart as number));
    const lines = out.trim().split('\n');
    const names = lines.map((l) => l.split(/\s+/)[2]);
    for (const want of ['ksyms_open', 'ksyms_read', 'ksyms_ioctl', 'ksyms_mmap', 'ksyms_close', 'ksyms_modevent', 'ksyms_snapshot', 'ksyms_map']) assert.ok(names.includes(want), want);
    assert.match(out, /^[0-9a-f]{16} t ksyms_open\t\[ksyms\]$/m);
    assert.match(out, /^[0-9a-f]{16} r ksyms_fops\t\[ksyms\]$/m);
    assert.match(out, /^[0-9a-f]{16} b ksyms_list\t\[ksyms\]$/m);
    for (const l of lines) assert.ok(BigInt('0x' + l.slice(0, 16)) >= modulesStart, l);
  });
});

interface ElfSymbol {
  value: bigint;
  type: string;
  bind: string;
  ndx: string;
  name: string;
}

function readelf(image: Uint8Array): { header: string; symbols: ElfSymbol[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kmemlab-devksyms-'));
  try {
    const file = join(dir, 'ksyms.elf');
    writeFileSync(file, image);
    const r = spawnSync(READELF, ['-h', '-S', '-s', '-W', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    assert.equal(r.status, 0, `readelf failed: ${r.stderr}`);
    assert.equal(r.stderr, '', `readelf complained: ${r.stderr}`);
    const symbols: ElfSymbol[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^\s+\d+:\s+([0-9a-f]+)\s+\d+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(line);
      if (m && m[5] !== '') symbols.push({ value: BigInt('0x' + m[1]), type: m[2], bind: m[3], ndx: m[4], name: m[5] });
    }
    return { header: r.stdout, symbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** /proc/kallsyms lines as "address name" keys, with the type letter. */
function kallsymsEntries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [addr, type, name] = line.split(/\s+/);
    out.set(`${BigInt('0x' + addr)} ${name}`, type);
  }
  return out;
}

describe('/dev/ksyms: the image a program reads is an ELF file readelf accepts', () => {
  const DUMP = `int fd = open("/dev/ksyms", O_RDONLY);
    size_t size; ioctl(fd, KIOCGSIZE, &size);
    char *buf = malloc(size);
    size_t got = 0; long n;
    while (got < size && (n = read(fd, buf + got, size - got)) > 0) got += n;
    fwrite(buf, 1, got, stdout);
    FILE *k = fopen("/proc/kallsyms", "r"); char line[256];
    while (fgets(line, sizeof line, k)) fputs(line, stderr);`;

  for (const [arch, cls, machine] of [
    ['x86_64', 'ELF64', 'Advanced Micro Devices X86-64'],
    ['i386', 'ELF32', 'Intel 80386'],
  ] as const) {
    it(`${arch}: readelf -h -S -s takes the ${cls} image and lists the same symbols as /proc/kallsyms`, function () {
      if (!existsSync(READELF)) {
        console.log(`      (skipped: ${READELF} is not installed; .ci/run installs binutils)`);
        this.skip();
      }
      const s = session(DUMP, arch);
      const r = s.runToEnd();
      assert.equal(r.programs[0].exitCode, 0);
      const image = Uint8Array.from(s.programs[0].task!.program!.stdout);
      const elf = readelf(image);
      assert.match(elf.header, new RegExp(`Class:\\s+${cls}`));
      assert.match(elf.header, /OS\/ABI:\s+UNIX - FreeBSD/);
      assert.match(elf.header, /Type:\s+EXEC/);
      assert.match(elf.header, new RegExp(`Machine:\\s+${machine}`));
      for (const sec of ['.symtab', '.strtab', '.shstrtab']) assert.match(elf.header, new RegExp(`\\] ${sec.replace('.', '\\.')}\\s`));
      const kallsyms = kallsymsEntries(r.programs[0].stderr);
      const fromElf = new Map(elf.symbols.map((x) => [`${x.value} ${x.name}`, x]));
      assert.ok(kallsyms.size > 100);
      assert.deepEqual([...fromElf.keys()].sort(), [...kallsyms.keys()].sort());
      for (const [key, letter] of kallsyms) {
        const sym = fromElf.get(key)!;
        assert.equal(sym.type, letter.toUpperCase() === 'T' ? 'FUNC' : 'OBJECT', key);
        assert.equal(sym.bind, letter === letter.toUpperCase() ? 'GLOBAL' : 'LOCAL', key);
        assert.equal(sym.ndx, 'ABS', key);
      }
      assert.ok(fromElf.has(`${BigInt.asUintN(s.kernel.arch.vaBits, BigInt(s.kernel.ksyms.addressOf('ksyms_open')))} ksyms_open`));
    });
  }
});
