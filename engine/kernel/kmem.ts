/**
 * How kernel TypeScript reads and writes kernel memory: by virtual address, like kernel C does,
 * but through its own software walk of init_mm's page tables (no TLB, no faults) so kernel
 * bookkeeping never disturbs what the machine's TLB holds for the running task. The direct map and
 * the kernel image map are plain arithmetic, as __pa() is.
 */
import type { ArchSpec } from '../machine/arch/types';
import { isWalkFault, walk } from '../machine/mmu';
import { PAGE_SIZE, type PhysMem } from '../machine/physmem';
import { fromHiLo, hi32, lo32, type I64 } from '../util/int64';
import type { StructLayout, StructLayouts } from './layout';

export class KMem {
  /** Bytes of RAM the direct map covers (all RAM on x86_64; lowmem on i386). */
  directMapBytes = 0;
  kernelImageBytes = 0;

  constructor(readonly mem: PhysMem, readonly arch: ArchSpec, private readonly rootPa: () => number) {}

  /**
   * Kernel mappings set up once at boot and never changed (mem_map in the vmemmap area): their
   * translation is arithmetic, like the direct map's, instead of a walk per access.
   */
  private readonly linear: { va: number; pa: number; bytes: number }[] = [];

  addLinearMapping(va: number, pa: number, bytes: number): void {
    this.linear.push({ va, pa, bytes });
  }

  /** The physical address behind a kernel virtual address, or undefined if nothing is mapped. */
  pa(va: I64): number | undefined {
    if (typeof va !== 'number') return undefined;
    const L = this.arch.layout;
    const off = va - (L.pageOffset as number);
    if (off >= 0 && off < this.directMapBytes) return off;
    const k = va - (L.kernelTextMap as number);
    if (this.arch.vaBits === 64 && k >= 0 && k < L.kernelLoadPa + this.kernelImageBytes) return k;
    for (const m of this.linear) if (va >= m.va && va < m.va + m.bytes) return m.pa + (va - m.va);
    if (!this.arch.isCanonical(va)) return undefined;
    const r = walk(this.mem, this.arch, this.rootPa(), va, { write: false, user: false, fetch: false }, false);
    return isWalkFault(r) ? undefined : r.pfn * PAGE_SIZE + (va & 4095);
  }

  private must(va: I64): number {
    const p = this.pa(va);
    if (p === undefined) throw new KernelAccessError(va);
    return p;
  }

  readBytes(va: I64, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const a = (va as number) + done;
      const chunk = Math.min(n - done, PAGE_SIZE - (a & 4095));
      this.mem.readBytes(this.must(a), chunk, out.subarray(done, done + chunk));
      done += chunk;
    }
    return out;
  }

  writeBytes(va: I64, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const a = (va as number) + done;
      const chunk = Math.min(bytes.length - done, PAGE_SIZE - (a & 4095));
      this.mem.writeBytes(this.must(a), bytes.subarray(done, done + chunk));
      done += chunk;
    }
  }

  fill(va: I64, value: number, n: number): void {
    let done = 0;
    while (done < n) {
      const a = (va as number) + done;
      const chunk = Math.min(n - done, PAGE_SIZE - (a & 4095));
      this.mem.fill(this.must(a), value, chunk);
      done += chunk;
    }
  }

  private view(va: I64, n: number): DataView {
    const b = this.readBytes(va, n);
    return new DataView(b.buffer);
  }

  /** The physical address of an n-byte access that stays within one page, else undefined. */
  private onePage(va: I64, n: number): number | undefined {
    if (typeof va !== 'number' || (va & 4095) + n > PAGE_SIZE) return undefined;
    return this.must(va);
  }

  /** A load's DataView and offset when the access is RAM within one page (no copy needed). */
  private loadAt(va: I64, n: number): { v: DataView | undefined; off: number } | undefined {
    const pa = this.onePage(va, n);
    if (pa === undefined) return undefined;
    const v = this.mem.loadView(Math.floor(pa / PAGE_SIZE));
    return v === null ? undefined : { v, off: pa & 4095 };
  }

  r8(va: I64): number {
    const at = this.loadAt(va, 1);
    if (at) return at.v ? at.v.getUint8(at.off) : 0;
    return this.readBytes(va, 1)[0];
  }
  r16(va: I64): number {
    const at = this.loadAt(va, 2);
    if (at) return at.v ? at.v.getUint16(at.off, true) : 0;
    return this.view(va, 2).getUint16(0, true);
  }
  r32(va: I64): number {
    const at = this.loadAt(va, 4);
    if (at) return at.v ? at.v.getUint32(at.off, true) : 0;
    return this.view(va, 4).getUint32(0, true);
  }
  r32s(va: I64): number {
    const at = this.loadAt(va, 4);
    if (at) return at.v ? at.v.getInt32(at.off, true) : 0;
    return this.view(va, 4).getInt32(0, true);
  }
  r64(va: I64): I64 {
    const at = this.loadAt(va, 8);
    if (at) return at.v ? fromHiLo(at.v.getInt32(at.off + 4, true), at.v.getUint32(at.off, true)) : 0;
    const v = this.view(va, 8);
    return fromHiLo(v.getInt32(4, true), v.getUint32(0, true));
  }
  /** A pointer-sized value (unsigned 32-bit on i386). */
  rptr(va: I64): I64 {
    return this.arch.vaBits === 64 ? this.r64(va) : this.r32(va);
  }
  /** A store's DataView and offset when nothing watches the frame and it is one page of RAM. */
  private storeAt(va: I64, n: number): { v: DataView; off: number } | undefined {
    const pa = this.onePage(va, n);
    if (pa === undefined) return undefined;
    const v = this.mem.plainStoreView(pa, n);
    return v ? { v, off: pa & 4095 } : undefined;
  }

  w8(va: I64, v: number): void {
    const at = this.storeAt(va, 1);
    if (at) at.v.setUint8(at.off, v & 0xff);
    else this.writeBytes(va, Uint8Array.of(v & 0xff));
  }
  w16(va: I64, v: number): void {
    const at = this.storeAt(va, 2);
    if (at) return at.v.setUint16(at.off, v & 0xffff, true);
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v & 0xffff, true);
    this.writeBytes(va, b);
  }
  w32(va: I64, v: number): void {
    const at = this.storeAt(va, 4);
    if (at) return at.v.setUint32(at.off, v >>> 0, true);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.writeBytes(va, b);
  }
  w64(va: I64, v: I64): void {
    const at = this.storeAt(va, 8);
    if (at) {
      at.v.setUint32(at.off, lo32(v), true);
      at.v.setInt32(at.off + 4, hi32(v), true);
      return;
    }
    const b = new Uint8Array(8);
    const d = new DataView(b.buffer);
    d.setUint32(0, lo32(v), true);
    d.setInt32(4, hi32(v), true);
    this.writeBytes(va, b);
  }
  wptr(va: I64, v: I64): void {
    if (this.arch.vaBits === 64) this.w64(va, v);
    else this.w32(va, lo32(v));
  }

  readCString(va: I64, max = 4096): string {
    let s = '';
    for (let i = 0; i < max; i++) {
      const c = this.r8((va as number) + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  writeCString(va: I64, s: string): void {
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    this.writeBytes(va, b);
  }
}

/** Kernel TypeScript touched an address with nothing behind it: a bug in the emulated kernel. */
export class KernelAccessError extends Error {
  constructor(readonly va: I64) {
    super(`kernel access to unmapped address ${typeof va === 'number' ? '0x' + BigInt.asUintN(64, BigInt(va)).toString(16) : va}`);
    this.name = 'KernelAccessError';
  }
}

/** Field access to one kind of kernel structure, by layout from the headers. */
export class KStruct {
  readonly sizeBytes: number;
  constructor(readonly layout: StructLayout, private readonly km: KMem) {
    this.sizeBytes = layout.sizeBytes;
  }

  off(field: string): number {
    return this.layout.field(field).offset;
  }

  addr(base: I64, field: string): number {
    return (base as number) + this.layout.field(field).offset;
  }

  get(base: I64, field: string): I64 {
    const f = this.layout.field(field);
    const a = (base as number) + f.offset;
    switch (f.sizeBytes) {
      case 1: {
        const v = this.km.r8(a);
        return f.signed ? (v << 24) >> 24 : v;
      }
      case 2: {
        const v = this.km.r16(a);
        return f.signed ? (v << 16) >> 16 : v;
      }
      case 4:
        return f.signed ? this.km.r32s(a) : this.km.r32(a);
      default:
        return this.km.r64(a);
    }
  }

  /** A field read as a JS number (for counts, flags and addresses that are known to be safe). */
  num(base: I64, field: string): number {
    return Number(this.get(base, field));
  }

  set(base: I64, field: string, v: I64): void {
    const f = this.layout.field(field);
    const a = (base as number) + f.offset;
    switch (f.sizeBytes) {
      case 1:
        this.km.w8(a, Number(v));
        return;
      case 2:
        this.km.w16(a, Number(v));
        return;
      case 4:
        this.km.w32(a, lo32(v));
        return;
      default:
        this.km.w64(a, v);
    }
  }

  zero(base: I64): void {
    this.km.fill(base, 0, this.sizeBytes);
  }
}

/** The kernel's structures, by name. */
export class KStructs {
  private readonly cache = new Map<string, KStruct>();
  constructor(readonly layouts: StructLayouts, private readonly km: KMem) {}
  get(name: string): KStruct {
    let s = this.cache.get(name);
    if (!s) {
      s = new KStruct(this.layouts.struct(name), this.km);
      this.cache.set(name, s);
    }
    return s;
  }
}
