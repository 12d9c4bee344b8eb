import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildKsymsImage,
  buildKsymsImageFromLinkerFiles,
  ksymsImageLayout,
  KsymsImageOptions,
  KsymsSymbol,
} from '../../engine/format/elf';

const READELF = '/usr/bin/readelf';

const KERNEL64: KsymsSymbol[] = [
  { name: 'start_kernel', value: 0xffffffff81000000n, sizeBytes: 0x120n, type: 'func', bind: 'global' },
  { name: 'jiffies', value: 0xffffffff81a00000n, sizeBytes: 8n, type: 'object', bind: 'global' },
  { name: 'kmemlab_boot_marker', value: 0xffffffff81000200n, sizeBytes: 0n, type: 'notype', bind: 'local' },
  { name: 'static_buf', value: 0xffffffff81a01000n, sizeBytes: 4096n, type: 'object', bind: 'local' },
];

const KERNEL32: KsymsSymbol[] = KERNEL64.map((s) => ({ ...s, value: s.value & 0xffff_ffffn }));

interface ReadelfSymbol {
  num: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  ndx: string;
  name: string;
}

interface ReadelfReport {
  stdout: string;
  stderr: string;
  header: Map<string, string>;
  sections: Map<string, { type: string; offset: number; size: number; entsize: number; link: number; info: number; align: number }>;
  symbols: ReadelfSymbol[];
}

function runReadelf(image: Uint8Array): ReadelfReport {
  const dir = mkdtempSync(join(tmpdir(), 'kmemlab-ksyms-'));
  try {
    const file = join(dir, 'ksyms.elf');
    writeFileSync(file, image);
    const r = spawnSync(READELF, ['-h', '-S', '-s', '-W', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    assert.equal(r.status, 0, `readelf failed: ${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr, ...parseReadelf(r.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseReadelf(text: string): Pick<ReadelfReport, 'header' | 'sections' | 'symbols'> {
  const header = new Map<string, string>();
  const sections: ReadelfReport['sections'] = new Map();
  const symbols: ReadelfSymbol[] = [];
  for (const line of text.split('\n')) {
    const kv = /^  ([A-Za-z/ ]+[A-Za-z]):\s+(.*)$/.exec(line);
    if (kv && !line.includes('[')) header.set(kv[1], kv[2].trim());
    const sh = /^\s+\[\s*(\d+)\]\s+(\S*)\s+(NULL|SYMTAB|STRTAB)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(line);
    if (sh) {
      sections.set(sh[2] || '(null)', {
        type: sh[3],
        offset: parseInt(sh[5], 16),
        size: parseInt(sh[6], 16),
        entsize: parseInt(sh[7], 16),
        link: Number(sh[8]),
        info: Number(sh[9]),
        align: Number(sh[10]),
      });
    }
    const sym = /^\s+(\d+):\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (sym) {
      symbols.push({
        num: Number(sym[1]),
        value: BigInt('0x' + sym[2]),
        size: BigInt(sym[3]),
        type: sym[4],
        bind: sym[5],
        ndx: sym[7],
        name: sym[8],
      });
    }
  }
  return { header, sections, symbols };
}

const READELF_TYPE = { func: 'FUNC', object: 'OBJECT', notype: 'NOTYPE' } as const;
const READELF_BIND = { local: 'LOCAL', global: 'GLOBAL' } as const;

function assertListsExactly(report: ReadelfReport, expected: KsymsSymbol[]): void {
  const real = report.symbols.filter((s) => s.name !== '');
  assert.equal(real.length, expected.length);
  for (const want of expected) {
    const got = real.find((s) => s.name === want.name);
    assert.ok(got, `readelf does not list ${want.name}`);
    assert.equal(got.value, want.value, want.name);
    assert.equal(got.size, want.sizeBytes, want.name);
    assert.equal(got.type, READELF_TYPE[want.type], want.name);
    assert.equal(got.bind, READELF_BIND[want.bind], want.name);
    assert.equal(got.ndx, 'ABS', want.name);
  }
}

interface ClassCase {
  opts: KsymsImageOptions;
  symbols: KsymsSymbol[];
  cls: string;
  machine: string;
  offsets: { phoff: number; shoff: number; shstrtab: number; symtab: number };
  symBytes: number;
  longBytes: number;
}

const CASES: ClassCase[] = [
  {
    opts: { elfClass: 64, machine: 'x86_64' },
    symbols: KERNEL64,
    cls: 'ELF64',
    machine: 'Advanced Micro Devices X86-64',
    offsets: { phoff: 64, shoff: 176, shstrtab: 432, symtab: 464 },
    symBytes: 24,
    longBytes: 8,
  },
  {
    opts: { elfClass: 32, machine: 'i386' },
    symbols: KERNEL32,
    cls: 'ELF32',
    machine: 'Intel 80386',
    offsets: { phoff: 52, shoff: 116, shstrtab: 276, symtab: 304 },
    symBytes: 16,
    longBytes: 4,
  },
];

describe('FreeBSD /dev/ksyms image', () => {
  for (const c of CASES) {
    describe(`${c.cls} ${c.opts.machine}`, () => {
      const image = buildKsymsImage(c.symbols, c.opts);
      const layout = ksymsImageLayout([{ name: 'kernel', symbols: c.symbols }], c.opts);

      it('places the header parts at the offsets of struct ksyms_hdr', () => {
        assert.equal(layout.phoff, c.offsets.phoff);
        assert.equal(layout.shoff, c.offsets.shoff);
        assert.equal(layout.shstrtabOffset, c.offsets.shstrtab);
        assert.equal(layout.symtabOffset, c.offsets.symtab);
        assert.equal(layout.symbolCount, c.symbols.length + 1);
        assert.equal(layout.totalSizeBytes, image.length);
        assert.equal(image.length, layout.strtabOffset + layout.strtabSizeBytes);
      });

      it('begins with the null symbol and a NUL-led string table', () => {
        const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
        for (let i = 0; i < c.symBytes; i++) assert.equal(dv.getUint8(layout.symtabOffset + i), 0);
        assert.equal(image[layout.strtabOffset], 0, 'strtab starts with NUL');
        assert.equal(image[image.length - 1], 0, 'strtab ends with NUL');
      });

      it('writes two empty PT_LOAD headers flagged RX and RWX', () => {
        const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
        const phdrBytes = c.opts.elfClass === 64 ? 56 : 32;
        const flagsAt = c.opts.elfClass === 64 ? 4 : 24;
        const expectedFlags = [5, 7];
        for (let i = 0; i < 2; i++) {
          const base = layout.phoff + i * phdrBytes;
          assert.equal(dv.getUint32(base, true), 1, 'PT_LOAD');
          assert.equal(dv.getUint32(base + flagsAt, true), expectedFlags[i]);
          for (let b = 4; b < phdrBytes; b++) {
            if (b >= flagsAt && b < flagsAt + 4) continue;
            assert.equal(dv.getUint8(base + b), 0, `phdr ${i} byte ${b}`);
          }
        }
      });

      const skip = !existsSync(READELF);
      (skip ? it.skip : it)(`is accepted by binutils readelf${skip ? ' (SKIPPED: /usr/bin/readelf not installed)' : ''}`, () => {
        const report = runReadelf(image);
        assert.equal(report.stderr, '', 'readelf printed warnings or errors');
        assert.doesNotMatch(report.stdout, /warning|error|corrupt/i);
        assert.equal(report.header.get('Class'), c.cls);
        assert.equal(report.header.get('Data'), "2's complement, little endian");
        assert.equal(report.header.get('OS/ABI'), 'UNIX - FreeBSD');
        assert.match(report.header.get('Type') ?? '', /^EXEC/);
        assert.equal(report.header.get('Machine'), c.machine);
        assert.equal(report.header.get('Start of program headers'), `${c.offsets.phoff} (bytes into file)`);
        assert.equal(report.header.get('Start of section headers'), `${c.offsets.shoff} (bytes into file)`);
        assert.equal(report.header.get('Number of program headers'), '2');
        assert.equal(report.header.get('Number of section headers'), '4');
        assert.equal(report.header.get('Section header string table index'), '3');

        assert.deepEqual([...report.sections.keys()], ['(null)', '.symtab', '.strtab', '.shstrtab']);
        const symtab = report.sections.get('.symtab')!;
        assert.equal(symtab.type, 'SYMTAB');
        assert.equal(symtab.offset, c.offsets.symtab);
        assert.equal(symtab.size, (c.symbols.length + 1) * c.symBytes);
        assert.equal(symtab.entsize, c.symBytes);
        assert.equal(symtab.link, 2);
        assert.equal(symtab.info, c.symbols.length + 1);
        assert.equal(symtab.align, c.longBytes);
        const strtab = report.sections.get('.strtab')!;
        assert.equal(strtab.type, 'STRTAB');
        assert.equal(strtab.offset, c.offsets.symtab + symtab.size);
        assert.equal(strtab.offset + strtab.size, image.length);
        const shstrtab = report.sections.get('.shstrtab')!;
        assert.equal(shstrtab.offset, c.offsets.shstrtab);
        assert.equal(shstrtab.size, 28);

        assert.equal(report.symbols.length, c.symbols.length + 1);
        assert.deepEqual(report.symbols[0], { num: 0, value: 0n, size: 0n, type: 'NOTYPE', bind: 'LOCAL', ndx: 'UND', name: '' });
        assertListsExactly(report, c.symbols);
        const binds = report.symbols.slice(1).map((s) => s.bind);
        assert.deepEqual(binds, [...binds].sort((a, b) => (a === b ? 0 : a === 'LOCAL' ? -1 : 1)), 'locals first');
      });
    });
  }

  describe('kernel plus modules', () => {
    const moduleSymbols: KsymsSymbol[] = [
      { name: 'mydrv_mmap', value: 0xffffffffa0000040n, sizeBytes: 0x80n, type: 'func', bind: 'local' },
      { name: 'mydrv_buf', value: 0xffffffffa0002000n, sizeBytes: 0x1000n, type: 'object', bind: 'global' },
    ];
    const opts: KsymsImageOptions = { elfClass: 64, machine: 'x86_64' };
    const image = buildKsymsImageFromLinkerFiles(
      [
        { name: 'kernel', symbols: KERNEL64 },
        { name: 'mydrv.ko', symbols: moduleSymbols },
      ],
      opts,
    );

    it("gives each linker file its own null symbol and rebases its names, as ksyms_add does", () => {
      const layout = ksymsImageLayout([{ name: 'kernel', symbols: KERNEL64 }, { name: 'mydrv.ko', symbols: moduleSymbols }], opts);
      assert.equal(layout.symbolCount, KERNEL64.length + 1 + moduleSymbols.length + 1);
      const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
      const moduleNull = layout.symtabOffset + (KERNEL64.length + 1) * 24;
      const kernelStrtabBytes = 1 + KERNEL64.reduce((n, s) => n + s.name.length + 1, 0);
      assert.equal(dv.getUint32(moduleNull, true), kernelStrtabBytes, 'module null symbol names its own strtab start');
      assert.equal(image[layout.strtabOffset + kernelStrtabBytes], 0);
    });

    const skip = !existsSync(READELF);
    (skip ? it.skip : it)('is accepted by readelf and lists kernel and module symbols', () => {
      const report = runReadelf(image);
      assert.equal(report.stderr, '');
      assertListsExactly(report, [...KERNEL64, ...moduleSymbols]);
      const unnamed = report.symbols.filter((s) => s.name === '').map((s) => s.num);
      assert.deepEqual(unnamed, [0, KERNEL64.length + 1]);
    });
  });

  it('refuses values that do not fit the class, and mismatched class/machine', () => {
    assert.throws(() => buildKsymsImage(KERNEL64, { elfClass: 32, machine: 'i386' }), RangeError);
    assert.throws(() => buildKsymsImage(KERNEL32, { elfClass: 64, machine: 'i386' }), RangeError);
    assert.throws(() => buildKsymsImage(KERNEL64, { elfClass: 32, machine: 'x86_64' }), RangeError);
  });

  it('is deterministic', () => {
    const a = buildKsymsImage(KERNEL64, { elfClass: 64, machine: 'x86_64' });
    const b = buildKsymsImage(KERNEL64, { elfClass: 64, machine: 'x86_64' });
    assert.deepEqual(a, b);
  });
});
