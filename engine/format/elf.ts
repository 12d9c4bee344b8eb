/**
 * The symbol-table snapshot FreeBSD's /dev/ksyms writes into the opener's
 * address space (sys/dev/ksyms/ksyms.c, FACTS §E), produced byte for byte:
 *
 *   Ehdr | text Phdr | data Phdr | Shdr[4] | shstrtab (28 B) | pad | symtab | strtab
 *
 * The first five parts are one C struct in FreeBSD (struct ksyms_hdr), so the
 * symbol table starts at sizeof(that struct): 464 on ELF64, 304 on ELF32.
 * After it come the linker files' symbol tables, then their string tables,
 * each file's tables copied one after the other (kernel first, then modules in
 * load order), so a module's symbols keep their own leading null symbol and
 * their st_name is rebased by the size of the string tables before them.
 *
 * Deliberate differences from FreeBSD (kept small, listed so nobody mistakes
 * them for FreeBSD behaviour):
 *  - st_shndx: FreeBSD copies each symbol's section index from the file it
 *    came from, which names a section of that file, not of this image; here
 *    every real symbol is SHN_ABS, which is what its (absolute) value means.
 *  - String tables: FreeBSD copies the linker's table as-is (which may share
 *    tails between names); here each file's table is "\0" followed by every
 *    symbol's name in symbol order, NUL-terminated, without sharing.
 *  - Symbol order inside a file: a linker-produced table has its locals before
 *    its globals (ELF gABI), and FreeBSD copies that order; callers here may
 *    hand symbols in any order, so each file's symbols are stably partitioned
 *    locals-first to reproduce it.
 *  - FreeBSD sets .symtab's sh_info to the total symbol count (not "index of
 *    the first non-local" as the gABI says); that is kept, as FACTS records it.
 */

export interface KsymsSymbol {
  name: string;
  value: bigint;
  sizeBytes: bigint;
  type: 'func' | 'object' | 'notype';
  bind: 'local' | 'global';
}

/** One linker file (the kernel, or a loaded module) and its symbols. */
export interface KsymsLinkerFile {
  name: string;
  symbols: KsymsSymbol[];
}

export interface KsymsImageOptions {
  elfClass: 32 | 64;
  machine: 'x86_64' | 'i386';
}

/** Where everything sits in an image; all offsets are from the image start. */
export interface KsymsImageLayout {
  elfClass: 32 | 64;
  phoff: number;
  shoff: number;
  shstrtabOffset: number;
  symtabOffset: number;
  symtabSizeBytes: number;
  strtabOffset: number;
  strtabSizeBytes: number;
  symbolCount: number;
  /** What KIOCGSIZE reports: header + symtab + strtab, not page-rounded. */
  totalSizeBytes: number;
}

// ELF constants (System V gABI; FreeBSD's sys/elf_common.h uses the same values).
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ELFOSABI_FREEBSD = 9;
const ET_EXEC = 2;
const EM_386 = 3;
const EM_X86_64 = 62;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;

const SECTION_SYMTAB = 1;
const SECTION_STRTAB = 2;
const SECTION_SHSTRTAB = 3;
const SECTION_COUNT = 4;

/** ".symtab" at 1, ".strtab" at 9, ".shstrtab" at 17; the C literal's own NUL makes it 28 bytes. */
const SHSTRTAB_TEXT = '\0.symtab\0.strtab\0.shstrtab\0\0';
const SHSTRTAB_NAME_SYMTAB = 1;
const SHSTRTAB_NAME_STRTAB = 9;
const SHSTRTAB_NAME_SHSTRTAB = 17;

/** Sizes of the ELF structures, and of C `long` (the symtab's sh_addralign). */
interface ElfClassSizes {
  ehdrBytes: number;
  phdrBytes: number;
  shdrBytes: number;
  symBytes: number;
  longBytes: number;
  /** The strictest member alignment of struct ksyms_hdr (Elf64_Addr is 8, Elf32 has nothing wider than 4). */
  structAlignBytes: number;
  maxValue: bigint;
}

const CLASS_SIZES: Record<32 | 64, ElfClassSizes> = {
  32: { ehdrBytes: 52, phdrBytes: 32, shdrBytes: 40, symBytes: 16, longBytes: 4, structAlignBytes: 4, maxValue: 0xffff_ffffn },
  64: { ehdrBytes: 64, phdrBytes: 56, shdrBytes: 64, symBytes: 24, longBytes: 8, structAlignBytes: 8, maxValue: 0xffff_ffff_ffff_ffffn },
};

function roundUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** The fixed part of the image: offsetof() and sizeof() of FreeBSD's struct ksyms_hdr. */
function ksymsHeaderOffsets(elfClass: 32 | 64): { phoff: number; shoff: number; shstrtabOffset: number; headerSizeBytes: number } {
  const s = CLASS_SIZES[elfClass];
  const phoff = s.ehdrBytes;
  const shoff = phoff + 2 * s.phdrBytes;
  const shstrtabOffset = shoff + SECTION_COUNT * s.shdrBytes;
  const headerSizeBytes = roundUp(shstrtabOffset + SHSTRTAB_TEXT.length, s.structAlignBytes);
  return { phoff, shoff, shstrtabOffset, headerSizeBytes };
}

/** A linker file's symbols in the order its own table has them: locals before globals. */
function linkerFileSymbolOrder(symbols: KsymsSymbol[]): KsymsSymbol[] {
  return [...symbols.filter((s) => s.bind === 'local'), ...symbols.filter((s) => s.bind === 'global')];
}

interface EncodedSymbol {
  nameOffset: number;
  value: bigint;
  sizeBytes: bigint;
  info: number;
  shndx: number;
}

interface EncodedTables {
  symbols: EncodedSymbol[];
  strtab: Uint8Array;
}

function symbolInfo(sym: KsymsSymbol): number {
  const bind = sym.bind === 'global' ? STB_GLOBAL : STB_LOCAL;
  const type = sym.type === 'func' ? STT_FUNC : sym.type === 'object' ? STT_OBJECT : STT_NOTYPE;
  return (bind << 4) | type;
}

function checkFits(what: string, value: bigint, max: bigint, elfClass: number): void {
  if (value < 0n || value > max) {
    throw new RangeError(`ksyms: ${what} 0x${value.toString(16)} does not fit an ELF${elfClass} field`);
  }
}

/** Concatenates the files' tables the way ksyms_add() does, rebasing st_name per file. */
function encodeTables(files: KsymsLinkerFile[], elfClass: 32 | 64): EncodedTables {
  const encoder = new TextEncoder();
  const max = CLASS_SIZES[elfClass].maxValue;
  const chunks: Uint8Array[] = [];
  const symbols: EncodedSymbol[] = [];
  let strtabSize = 0;
  const append = (bytes: Uint8Array): number => {
    const at = strtabSize;
    chunks.push(bytes);
    strtabSize += bytes.length;
    return at;
  };
  for (const file of files) {
    const fileStrtabBase = append(new Uint8Array(1));
    symbols.push({ nameOffset: fileStrtabBase, value: 0n, sizeBytes: 0n, info: 0, shndx: SHN_UNDEF });
    for (const sym of linkerFileSymbolOrder(file.symbols)) {
      if (sym.name.includes('\0')) throw new RangeError(`ksyms: symbol name ${JSON.stringify(sym.name)} contains NUL`);
      checkFits(`value of ${sym.name}`, sym.value, max, elfClass);
      checkFits(`size of ${sym.name}`, sym.sizeBytes, max, elfClass);
      const nameOffset = append(encoder.encode(sym.name + '\0'));
      symbols.push({ nameOffset, value: sym.value, sizeBytes: sym.sizeBytes, info: symbolInfo(sym), shndx: SHN_ABS });
    }
  }
  const strtab = new Uint8Array(strtabSize);
  let at = 0;
  for (const chunk of chunks) {
    strtab.set(chunk, at);
    at += chunk.length;
  }
  return { symbols, strtab };
}

/** Little-endian field writer that knows the width of Elf_Addr/Elf_Off for its class. */
class ElfWriter {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, private readonly elfClass: 32 | 64) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  /** Elf_Addr / Elf_Off / Elf_Xword-or-Word fields: 8 bytes on ELF64, 4 on ELF32. Returns the width. */
  word(at: number, v: bigint | number): number {
    if (this.elfClass === 64) {
      this.view.setBigUint64(at, BigInt(v), true);
      return 8;
    }
    this.view.setUint32(at, Number(v), true);
    return 4;
  }
}

function machineCode(opts: KsymsImageOptions): number {
  if (opts.machine === 'i386' && opts.elfClass !== 32) {
    throw new RangeError('ksyms: an i386 kernel writes an ELF32 image');
  }
  if (opts.machine === 'x86_64' && opts.elfClass !== 64) {
    throw new RangeError('ksyms: an x86_64 kernel writes an ELF64 image');
  }
  return opts.machine === 'x86_64' ? EM_X86_64 : EM_386;
}

function writeEhdr(w: ElfWriter, opts: KsymsImageOptions, layout: KsymsImageLayout): void {
  const s = CLASS_SIZES[opts.elfClass];
  w.bytes.set([0x7f, 0x45, 0x4c, 0x46], 0);
  w.u8(4, opts.elfClass === 64 ? ELFCLASS64 : ELFCLASS32);
  w.u8(5, ELFDATA2LSB);
  w.u8(6, EV_CURRENT);
  w.u8(7, ELFOSABI_FREEBSD);
  // e_ident[EI_ABIVERSION] and the padding stay 0.
  w.u16(16, ET_EXEC);
  w.u16(18, machineCode(opts));
  w.u32(20, EV_CURRENT);
  let at = 24;
  at += w.word(at, 0); // e_entry
  at += w.word(at, layout.phoff);
  at += w.word(at, layout.shoff);
  w.u32(at, 0); // e_flags
  w.u16(at + 4, s.ehdrBytes);
  w.u16(at + 6, s.phdrBytes);
  w.u16(at + 8, 2); // text and data
  w.u16(at + 10, s.shdrBytes);
  w.u16(at + 12, SECTION_COUNT);
  w.u16(at + 14, SECTION_SHSTRTAB);
}

/** FreeBSD fills in only p_type and p_flags; it has no addresses to give (its own XXX). */
function writeEmptyLoadPhdr(w: ElfWriter, at: number, flags: number, elfClass: 32 | 64): void {
  w.u32(at, PT_LOAD);
  // p_flags is the second field on ELF64 and the seventh on ELF32.
  w.u32(elfClass === 64 ? at + 4 : at + 24, flags);
}

interface SectionHeader {
  name: number;
  type: number;
  offset: number;
  sizeBytes: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

function writeShdr(w: ElfWriter, at: number, sh: SectionHeader): void {
  w.u32(at, sh.name);
  w.u32(at + 4, sh.type);
  let p = at + 8;
  p += w.word(p, 0); // sh_flags
  p += w.word(p, 0); // sh_addr
  p += w.word(p, sh.offset);
  p += w.word(p, sh.sizeBytes);
  w.u32(p, sh.link);
  w.u32(p + 4, sh.info);
  p += 8;
  p += w.word(p, sh.addralign);
  w.word(p, sh.entsize);
}

function writeSymbol(w: ElfWriter, at: number, sym: EncodedSymbol, elfClass: 32 | 64): void {
  w.u32(at, sym.nameOffset);
  if (elfClass === 64) {
    w.u8(at + 4, sym.info);
    w.u8(at + 5, 0);
    w.u16(at + 6, sym.shndx);
    w.word(at + 8, sym.value);
    w.word(at + 16, sym.sizeBytes);
  } else {
    w.word(at + 4, sym.value);
    w.word(at + 8, sym.sizeBytes);
    w.u8(at + 12, sym.info);
    w.u8(at + 13, 0);
    w.u16(at + 14, sym.shndx);
  }
}

function layoutFor(elfClass: 32 | 64, symbolCount: number, strtabSizeBytes: number): KsymsImageLayout {
  const head = ksymsHeaderOffsets(elfClass);
  const symtabSizeBytes = symbolCount * CLASS_SIZES[elfClass].symBytes;
  const strtabOffset = head.headerSizeBytes + symtabSizeBytes;
  return {
    elfClass,
    phoff: head.phoff,
    shoff: head.shoff,
    shstrtabOffset: head.shstrtabOffset,
    symtabOffset: head.headerSizeBytes,
    symtabSizeBytes,
    strtabOffset,
    strtabSizeBytes,
    symbolCount,
    totalSizeBytes: strtabOffset + strtabSizeBytes,
  };
}

/** The layout an image of these files would have, without building it. */
export function ksymsImageLayout(files: KsymsLinkerFile[], opts: KsymsImageOptions): KsymsImageLayout {
  const tables = encodeTables(files, opts.elfClass);
  return layoutFor(opts.elfClass, tables.symbols.length, tables.strtab.length);
}

/**
 * The snapshot of several linker files (kernel first, then modules in load
 * order), each contributing its own null symbol and string table, as
 * linker_file_foreach(ksyms_add) lays them down.
 */
export function buildKsymsImageFromLinkerFiles(files: KsymsLinkerFile[], opts: KsymsImageOptions): Uint8Array {
  const tables = encodeTables(files, opts.elfClass);
  const layout = layoutFor(opts.elfClass, tables.symbols.length, tables.strtab.length);
  const s = CLASS_SIZES[opts.elfClass];
  const w = new ElfWriter(new Uint8Array(layout.totalSizeBytes), opts.elfClass);

  writeEhdr(w, opts, layout);
  writeEmptyLoadPhdr(w, layout.phoff, PF_R | PF_X, opts.elfClass);
  writeEmptyLoadPhdr(w, layout.phoff + s.phdrBytes, PF_R | PF_W | PF_X, opts.elfClass);

  // Section 0 stays all zero.
  writeShdr(w, layout.shoff + SECTION_SYMTAB * s.shdrBytes, {
    name: SHSTRTAB_NAME_SYMTAB,
    type: SHT_SYMTAB,
    offset: layout.symtabOffset,
    sizeBytes: layout.symtabSizeBytes,
    link: SECTION_STRTAB,
    info: layout.symbolCount,
    addralign: s.longBytes,
    entsize: s.symBytes,
  });
  writeShdr(w, layout.shoff + SECTION_STRTAB * s.shdrBytes, {
    name: SHSTRTAB_NAME_STRTAB,
    type: SHT_STRTAB,
    offset: layout.strtabOffset,
    sizeBytes: layout.strtabSizeBytes,
    link: 0,
    info: 0,
    addralign: 1,
    entsize: 0,
  });
  // FreeBSD leaves .shstrtab's alignment 0 (its sizeof(char) is commented out).
  writeShdr(w, layout.shoff + SECTION_SHSTRTAB * s.shdrBytes, {
    name: SHSTRTAB_NAME_SHSTRTAB,
    type: SHT_STRTAB,
    offset: layout.shstrtabOffset,
    sizeBytes: SHSTRTAB_TEXT.length,
    link: 0,
    info: 0,
    addralign: 0,
    entsize: 0,
  });
  for (let i = 0; i < SHSTRTAB_TEXT.length; i++) w.u8(layout.shstrtabOffset + i, SHSTRTAB_TEXT.charCodeAt(i));

  tables.symbols.forEach((sym, i) => writeSymbol(w, layout.symtabOffset + i * s.symBytes, sym, opts.elfClass));
  w.bytes.set(tables.strtab, layout.strtabOffset);
  return w.bytes;
}

/** The snapshot of a single linker file (a kernel with no modules loaded). */
export function buildKsymsImage(symbols: KsymsSymbol[], opts: KsymsImageOptions): Uint8Array {
  return buildKsymsImageFromLinkerFiles([{ name: 'kernel', symbols }], opts);
}
