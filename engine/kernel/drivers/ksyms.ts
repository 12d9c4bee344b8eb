/**
 * /dev/ksyms with FreeBSD's semantics (FACTS §E): opening it writes a snapshot of the kernel's and
 * the loaded modules' symbol tables, as an ELF image, into the opener's own address space; read,
 * ioctl and mmap then serve that snapshot back out of user memory.
 *
 *  - open: one open per process (EBUSY for a second). Up to three tries of: size the symbol
 *    tables, map private anonymous RW memory at round_page(start of the data segment +
 *    RLIMIT_DATA), write the image there. A size that changed in between (ENXIO) is retried; a
 *    mapping that fails ends the open with its error.
 *  - read: offset beyond the snapshot's size is EFAULT; the bytes are copied in from the user
 *    mapping a page at a time and out to the reader, so they are whatever the process left there.
 *  - ioctl: KIOCGSIZE (the unrounded size, a size_t) and KIOCGADDR (the snapshot's address), with
 *    FreeBSD's _IOR encodings for the ABI; anything else ENOTTY.
 *  - mmap: shared only (FreeBSD's character devices have no private mappings: EINVAL); each page
 *    is the frame the opener's page tables map at snapshot + offset (pmap_extract); an offset past
 *    round_page(size) or a page not mapped there refuses the whole mmap (EINVAL). Note the bound
 *    lets offset == round_page(size) through: that page is whatever the opener has mapped after
 *    the snapshot.
 *  - close: unmaps the snapshot from the closing process and frees the per-open state.
 *
 * The driver is a loadable module, "ksyms", loaded at boot the way FreeBSD's loader would load
 * ksyms.ko: its functions and globals are module symbols (kallsyms shows them with [ksyms]), the
 * per-open state (struct ksyms_softc) is kmalloc'd and linked on the ksyms_list global in the
 * module's bss, and unload() is its MOD_UNLOAD: refused with EBUSY while any process has
 * /dev/ksyms open. Linux-side it is character device 60:0 (a major devices.txt leaves for local
 * use), mode 0444, like FreeBSD's make_dev(..., 0444, "ksyms").
 *
 * RLIMIT_DATA: Linux's default is unlimited, which would put the snapshot past the end of the
 * address space; FreeBSD's default, MAXDSIZ (32 GiB on amd64, 512 MiB on i386), is used instead.
 */
import { PAGE_SIZE } from '../../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../../exec/types';
import { add64, type I64 } from '../../util/int64';
import { buildKsymsImageFromLinkerFiles, ksymsImageLayout, type KsymsImageOptions, type KsymsLinkerFile } from '../../format/elf';
import { EBUSY, EFAULT, EINVAL, ENOENT, ENOMEM, ENOTTY, ENXIO } from '../errno';
import type { KSym } from '../kallsyms';
import type { Kernel } from '../kernel';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, VM_MAYSHARE } from '../mm';
import { call } from '../routines';
import { MKDEV } from '../vfs';
import { BuiltinModule } from './builtinModule';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export const KSYMS_PATH = '/dev/ksyms';
export const KSYMS_MAJOR = 60;
/** The tries ksyms_open makes to get a snapshot whose size did not change under it. */
export const KSYMS_TRIES = 3;

/** FreeBSD's _IOR(group, num, type): IOC_OUT, the parameter length, the group letter, the number. */
function freebsdIor(group: string, num: number, sizeBytes: number): number {
  const IOC_OUT = 0x40000000;
  return (IOC_OUT | ((sizeBytes & 0x1fff) << 16) | (group.charCodeAt(0) << 8) | num) >>> 0;
}

/** KIOCGSIZE = _IOR('l', 1, size_t), KIOCGADDR = _IOR('l', 2, void *): 0x40086c01/02 on LP64, 0x40046c01/02 on ILP32. */
export function ksymsIoctls(ptrBytes: number): { KIOCGSIZE: number; KIOCGADDR: number } {
  return { KIOCGSIZE: freebsdIor('l', 1, ptrBytes), KIOCGADDR: freebsdIor('l', 2, ptrBytes) };
}

/** FreeBSD's default RLIMIT_DATA (MAXDSIZ). */
function maxDataBytes(vaBits: number): number {
  return vaBits === 64 ? 32 * 2 ** 30 : 512 * 2 ** 20;
}

/** struct ksyms_softc, one per open: the list links, then what the open left in the process. */
const SC_NEXT = 0;
const SC_PREV = 1;
const SC_UADDR = 2;
const SC_USIZE = 3;
const SC_PMAP = 4;
const SC_PROC = 5;
const SC_WORDS = 6;

const MOD_LOAD = 0;
const MOD_UNLOAD = 1;

const GFP_KERNEL = 0xd0;
const __GFP_ZERO = 0x8000;

function pageRound(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** A kallsyms symbol as the ELF symbol table has it: T/t are functions, upper case is global. */
function elfSymbolOf(s: KSym, vaBits: number): KsymsLinkerFile['symbols'][number] {
  return {
    name: s.name,
    value: BigInt.asUintN(vaBits, BigInt(s.address)),
    sizeBytes: BigInt(s.sizeBytes),
    type: s.type.toUpperCase() === 'T' ? 'func' : 'object',
    bind: s.type === s.type.toUpperCase() ? 'global' : 'local',
  };
}

export class Ksyms {
  private readonly unit: BuiltinModule;
  private readonly ptrBytes: number;
  readonly ioctls: { KIOCGSIZE: number; KIOCGADDR: number };

  constructor(private readonly k: Kernel) {
    this.ptrBytes = k.arch.abi.ptrBytes;
    this.ioctls = ksymsIoctls(this.ptrBytes);
    const FO = k.structs.get('file_operations');
    this.unit = new BuiltinModule(
      k,
      'ksyms',
      'BSD',
      [
        { name: 'ksyms_size_calc', paramNames: [], impl: () => this.sizeCalc(), sizeBytes: 0x40 },
        { name: 'ksyms_snapshot', paramNames: ['uaddr', 'resid'], impl: (a) => this.snapshot(a[0] as number, Number(a[1])), sizeBytes: 0x220 },
        { name: 'ksyms_map', paramNames: ['size'], impl: (a) => this.map(Number(a[0])), sizeBytes: 0x80 },
        { name: 'ksyms_unmap', paramNames: ['addr', 'sz'], impl: (a) => this.unmap(a[0] as number, Number(a[1])), sizeBytes: 0x60 },
        { name: 'ksyms_cdevpriv_dtr', paramNames: ['data'], impl: (a) => this.dtr(a[0] as number), sizeBytes: 0x50 },
        { name: 'ksyms_open', paramNames: ['inode', 'file'], impl: (a) => this.open(a[1] as number), sizeBytes: 0x1a0 },
        { name: 'ksyms_read', paramNames: ['file', 'buf', 'count', 'ppos'], impl: (a) => this.read(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), sizeBytes: 0x120 },
        { name: 'ksyms_ioctl', paramNames: ['file', 'cmd', 'arg'], impl: (a) => this.ioctl(a[0] as number, Number(a[1]) >>> 0, a[2] as I64), sizeBytes: 0x90 },
        { name: 'ksyms_mmap', paramNames: ['file', 'vma'], impl: (a) => this.mmap(a[0] as number, a[1] as number), sizeBytes: 0xa0 },
        { name: 'ksyms_close', paramNames: ['inode', 'file'], impl: (a) => this.close(a[1] as number), sizeBytes: 0x70 },
        { name: 'ksyms_modevent', paramNames: ['mod', 'type', 'data'], impl: (a) => this.modevent(Number(a[1])), sizeBytes: 0x90 },
      ],
      [
        { name: 'ksyms_fops', sizeBytes: FO.sizeBytes, section: 'rodata' },
        { name: 'ksyms_list', sizeBytes: this.ptrBytes, section: 'bss' },
        { name: 'ksyms_dev', sizeBytes: this.ptrBytes, section: 'bss' },
      ],
    );
    const fops = this.unit.addressOf('ksyms_fops');
    const methods: Record<string, string> = { open: 'ksyms_open', release: 'ksyms_close', read: 'ksyms_read', unlocked_ioctl: 'ksyms_ioctl', mmap: 'ksyms_mmap' };
    for (const [field, fn] of Object.entries(methods)) FO.set(fops, field, this.unit.addressOf(fn));
    FO.set(fops, 'llseek', k.routines.must('default_llseek').address);
    FO.set(fops, 'owner', this.unit.mod.thisModuleVa);
    this.modevent(MOD_LOAD);
  }

  get loaded(): boolean {
    return this.unit.loaded;
  }

  /** The module's symbols by name (functions and globals), for tests and the debugger. */
  addressOf(name: string): number {
    return this.unit.addressOf(name);
  }

  /** kldunload: 0, or -EBUSY while a process has /dev/ksyms open (or -ENOENT once unloaded). */
  unload(): number {
    if (!this.unit.loaded) return -ENOENT;
    const err = this.modevent(MOD_UNLOAD);
    if (err) return err;
    this.unit.unload();
    return 0;
  }

  // ---- the module event handler ------------------------------------------------------------------

  private modevent(type: number): number {
    const k = this.k;
    if (type === MOD_LOAD) {
      const cdev = k.vfs.makeCdev(this.unit.addressOf('ksyms_fops'));
      k.vfs.registerRegion(KSYMS_MAJOR, 0, 1, 'ksyms', cdev, 'ksyms');
      const node = k.vfs.mknod(KSYMS_PATH, MKDEV(KSYMS_MAJOR, 0), 0o444, 'ksyms');
      k.km.wptr(this.unit.addressOf('ksyms_dev'), node.inodeVa);
      return 0;
    }
    if (type === MOD_UNLOAD) {
      if (this.listHead() !== 0) {
        k.printk(`\x016kmemlab: ksyms: unload refused, /dev/ksyms is open (EBUSY)\n`);
        return -EBUSY;
      }
      k.vfs.forgetOwner('ksyms');
      k.km.wptr(this.unit.addressOf('ksyms_dev'), 0);
      return 0;
    }
    return 0;
  }

  // ---- the softc list (in kernel memory) ---------------------------------------------------------

  private word(sc: number, i: number): number {
    return Number(this.k.km.rptr(sc + i * this.ptrBytes));
  }

  private setWord(sc: number, i: number, v: I64): void {
    this.k.km.wptr(sc + i * this.ptrBytes, v);
  }

  private listHead(): number {
    return Number(this.k.km.rptr(this.unit.addressOf('ksyms_list')));
  }

  private softcs(): number[] {
    const out: number[] = [];
    for (let sc = this.listHead(); sc !== 0; sc = this.word(sc, SC_NEXT)) out.push(sc);
    return out;
  }

  private insertHead(sc: number): void {
    const head = this.unit.addressOf('ksyms_list');
    const first = this.listHead();
    this.setWord(sc, SC_NEXT, first);
    if (first) this.setWord(first, SC_PREV, sc + SC_NEXT * this.ptrBytes);
    this.k.km.wptr(head, sc);
    this.setWord(sc, SC_PREV, head);
  }

  private remove(sc: number): void {
    const next = this.word(sc, SC_NEXT);
    const prev = this.word(sc, SC_PREV);
    if (next) this.setWord(next, SC_PREV, prev);
    this.k.km.wptr(prev, next);
  }

  /** ksyms_cdevpriv_dtr: unlink and free one open's state. */
  private dtr(sc: number): number {
    this.remove(sc);
    this.k.slab.kfree(sc, 'ksyms_cdevpriv_dtr');
    return 0;
  }

  private softcOf(file: number): number {
    return this.k.vfs.F.num(file, 'private_data');
  }

  // ---- the snapshot ------------------------------------------------------------------------------

  private get imageOptions(): KsymsImageOptions {
    return this.k.arch.vaBits === 64 ? { elfClass: 64, machine: 'x86_64' } : { elfClass: 32, machine: 'i386' };
  }

  /** The kernel's symbols, then each module's in load order (ksyms itself first, loaded at boot): FreeBSD's linker files. */
  linkerFiles(): KsymsLinkerFile[] {
    const bits = this.k.arch.vaBits;
    const all = this.k.kallsyms.list();
    const moduleNames = [...(this.unit.loaded ? [this.unit.mod.name] : []), ...this.k.modules.loaded.filter((m) => m.state !== 'failed').map((m) => m.name)];
    const fileOf = (name: string, syms: KSym[]): KsymsLinkerFile => ({ name, symbols: syms.map((s) => elfSymbolOf(s, bits)) });
    return [fileOf('kernel', all.filter((s) => !s.module)), ...moduleNames.map((name) => fileOf(name, all.filter((s) => s.module === name)))];
  }

  /** ksyms_size_calc: header + symbol tables + string tables, in bytes (what KIOCGSIZE reports). */
  private sizeCalc(): number {
    return ksymsImageLayout(this.linkerFiles(), this.imageOptions).totalSizeBytes;
  }

  /** ksyms_map: private anonymous RW memory after where the heap may grow; returns the address or -errno. */
  private *map(sizeBytes: number): NativeGen {
    const mm = this.k.current.mm!;
    const daddr = mm.get('start_data') || mm.get('start_brk');
    const hint = pageRound(daddr + maxDataBytes(this.k.arch.vaBits));
    return yield* call(this.k.routines.must('do_mmap_pgoff'), 0, hint, pageRound(sizeBytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
  }

  private *unmap(addr: number, sizeBytes: number): NativeGen {
    const mm = this.k.current.mm;
    if (!mm) return 0;
    return yield* call(this.k.routines.must('do_munmap'), mm.va, addr, pageRound(sizeBytes));
  }

  /**
   * ksyms_snapshot: builds the image from the symbols as they are now and copies it out a page at
   * a time through a kernel buffer; ENXIO when it no longer has the size the mapping was made
   * for. Like FreeBSD's KSYMS_EMIT, it does not look at what copyout returns.
   */
  private *snapshot(uaddr: number, resid: number): NativeGen {
    const k = this.k;
    const image = buildKsymsImageFromLinkerFiles(this.linkerFiles(), this.imageOptions);
    if (image.length !== resid) return ENXIO;
    const buf = k.slab.kmalloc(PAGE_SIZE, GFP_KERNEL, 'ksyms_snapshot', 'ksyms');
    if (!buf) return ENOMEM;
    for (let off = 0; off < image.length; off += PAGE_SIZE) {
      const chunk = image.subarray(off, Math.min(image.length, off + PAGE_SIZE));
      k.km.writeBytes(buf, chunk);
      yield* call(k.routines.must('copy_to_user'), uaddr + off, buf, chunk.length);
    }
    k.slab.kfree(buf, 'ksyms_snapshot');
    return 0;
  }

  // ---- file operations -----------------------------------------------------------------------------

  private *open(file: number): NativeGen {
    const k = this.k;
    const task = k.current;
    if (this.softcs().some((sc) => this.word(sc, SC_PROC) === task.va)) return -EBUSY;
    const sc = k.slab.kmalloc(SC_WORDS * this.ptrBytes, GFP_KERNEL | __GFP_ZERO, 'ksyms_open', 'ksyms');
    if (!sc) return -ENOMEM;
    this.setWord(sc, SC_PROC, task.va);
    this.setWord(sc, SC_PMAP, task.mm?.va ?? 0);
    this.insertHead(sc);
    k.vfs.F.set(file, 'private_data', sc);
    let error = 0;
    for (let attempt = 0; attempt < KSYMS_TRIES; attempt++) {
      const total = (yield* call(this.unit.fn('ksyms_size_calc'))) as number;
      const uaddr = (yield* call(this.unit.fn('ksyms_map'), total)) as number;
      if (uaddr < 0) {
        error = -uaddr;
        break;
      }
      this.setWord(sc, SC_UADDR, uaddr);
      this.setWord(sc, SC_USIZE, total);
      error = (yield* call(this.unit.fn('ksyms_snapshot'), uaddr, total)) as number;
      if (!error) return 0;
      yield* call(this.unit.fn('ksyms_unmap'), uaddr, total);
    }
    yield* call(this.unit.fn('ksyms_cdevpriv_dtr'), sc);
    k.vfs.F.set(file, 'private_data', 0);
    return -error;
  }

  private *read(file: number, buf: I64, count: number, ppos: number): NativeGen {
    const k = this.k;
    const sc = this.softcOf(file);
    if (!sc) return -EINVAL;
    const usize = this.word(sc, SC_USIZE);
    const off = Number(k.km.r64(ppos));
    if (off < 0 || off > usize) return -EFAULT;
    const len = Math.min(count, usize - off);
    if (len === 0) return 0;
    const kbuf = k.slab.kmalloc(PAGE_SIZE, GFP_KERNEL, 'ksyms_read', 'ksyms');
    if (!kbuf) return -ENOMEM;
    let done = 0;
    let error = 0;
    while (done < len) {
      const sz = Math.min(PAGE_SIZE, len - done);
      const inLeft = (yield* call(k.routines.must('copy_from_user'), kbuf, this.word(sc, SC_UADDR) + off + done, sz)) as number;
      const outLeft = inLeft ? sz : ((yield* call(k.routines.must('copy_to_user'), add64(buf, done), kbuf, sz)) as number);
      if (inLeft || outLeft) {
        error = EFAULT;
        break;
      }
      done += sz;
    }
    k.slab.kfree(kbuf, 'ksyms_read');
    k.km.w64(ppos, off + done);
    return error ? -error : done;
  }

  private *ioctl(file: number, cmd: number, arg: I64): NativeGen {
    const sc = this.softcOf(file);
    if (!sc) return -EINVAL;
    let value: number;
    if (cmd === this.ioctls.KIOCGSIZE) value = this.word(sc, SC_USIZE);
    else if (cmd === this.ioctls.KIOCGADDR) value = this.word(sc, SC_UADDR);
    else return -ENOTTY;
    return (yield* this.copyoutWord(arg, value)) ? 0 : -EFAULT;
  }

  /** What FreeBSD's ioctl layer does with an _IOR result: copy the size_t or pointer out from the kernel stack. */
  private *copyoutWord(uaddr: I64, value: number): Gen<boolean> {
    const k = this.k;
    const th = k.current.thread;
    th.ksp -= 16;
    try {
      k.km.wptr(th.ksp, value);
      return ((yield* call(k.routines.must('copy_to_user'), uaddr, th.ksp, this.ptrBytes)) as number) === 0;
    } finally {
      th.ksp += 16;
    }
  }

  private *mmap(file: number, vma: number): NativeGen {
    const k = this.k;
    const V = k.structs.get('vm_area_struct');
    const sc = this.softcOf(file);
    if (!sc) return -EINVAL;
    if (!(V.num(vma, 'vm_flags') & VM_MAYSHARE)) return -EINVAL;
    const start = V.num(vma, 'vm_start');
    const pages = (V.num(vma, 'vm_end') - start) / PAGE_SIZE;
    const pgoff = V.num(vma, 'vm_pgoff');
    const pfns: number[] = [];
    for (let i = 0; i < pages; i++) {
      const pfn = this.pmapExtract(sc, (pgoff + i) * PAGE_SIZE);
      if (pfn === undefined) return -EINVAL;
      pfns.push(pfn);
    }
    const prot = V.get(vma, 'vm_page_prot');
    for (let i = 0; i < pages; i++) {
      const ret = (yield* call(k.routines.must('remap_pfn_range'), vma, start + i * PAGE_SIZE, pfns[i], PAGE_SIZE, prot)) as number;
      if (ret) return ret;
    }
    return 0;
  }

  /** ksyms_mmap's answer for one page: the `>` bound, then the frame the opener maps there. */
  private pmapExtract(sc: number, offset: number): number | undefined {
    if (offset > pageRound(this.word(sc, SC_USIZE))) return undefined;
    const mmVa = this.word(sc, SC_PMAP);
    if (!mmVa) return undefined;
    const mm = this.k.mmSub.mmAt(mmVa);
    const pfn = this.k.pt.translate(mm.pgdPa, this.word(sc, SC_UADDR) + offset);
    return pfn === 0 ? undefined : pfn;
  }

  private *close(file: number): NativeGen {
    const sc = this.softcOf(file);
    if (!sc) return 0;
    const error = (yield* call(this.unit.fn('ksyms_unmap'), this.word(sc, SC_UADDR), this.word(sc, SC_USIZE))) as number;
    yield* call(this.unit.fn('ksyms_cdevpriv_dtr'), sc);
    this.k.vfs.F.set(file, 'private_data', 0);
    return error;
  }

  /** The open snapshots (process, address, size), for the debugger and tests. */
  opens(): { pid: number; uaddr: number; usizeBytes: number }[] {
    return this.softcs().map((sc) => ({
      pid: [...this.k.tasks.values()].find((t) => t.va === this.word(sc, SC_PROC))?.pid ?? 0,
      uaddr: this.word(sc, SC_UADDR),
      usizeBytes: this.word(sc, SC_USIZE),
    }));
  }
}
