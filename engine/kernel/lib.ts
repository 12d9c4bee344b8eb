/**
 * lib/: printk and the vsprintf family (Linux 3.7's format rules, through the shared printf
 * engine), the string routines, kstrto* / simple_strto*, and the allocation API drivers call
 * (kmalloc and friends, vmalloc and friends, the page allocator, address conversions).
 */
import { Trap } from '../machine/cpu';
import { MODE_KERNEL } from '../machine/tlb';
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeContext, Value } from '../exec/types';
import { formatPrintf, type PrintfArg, type PrintfHost } from '../format/printf';
import { add64, fromHiLo, norm64, toUnsignedBig, type I64 } from '../util/int64';
import { EINVAL, ERANGE } from './errno';
import type { Kernel } from './kernel';
import { KernelBug } from './oops';
import { GFP_ZERO } from './page_alloc';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

export class Lib {
  readonly printfHost: PrintfHost;

  constructor(private readonly k: Kernel) {
    const bits = k.arch.vaBits;
    this.printfHost = {
      longBits: bits,
      ptrBits: bits,
      physAddrBits: k.arch.pteBytes === 8 ? 64 : 32,
      readCString: (addr, max) => this.tryReadCString(addr as I64, max),
      readBytes: (addr, n) => this.tryRead(addr as I64, n),
      lookupSymbol: (addr) => k.kallsyms.lookup(Number(addr)),
    };
    this.defineFormatting();
    this.defineStrings();
    this.defineAllocation();
  }

  // ---- memory helpers ---------------------------------------------------------------------------

  private tryRead(addr: I64, n: number): Uint8Array | null {
    try {
      return this.k.cpu.readBytes(addr, n, MODE_KERNEL);
    } catch (e) {
      if (e instanceof Trap) return null;
      throw e;
    }
  }

  private tryReadCString(addr: I64, max: number): Uint8Array | null {
    const out: number[] = [];
    try {
      for (let i = 0; i < max; i++) {
        const c = this.k.cpu.r8(add64(addr, i), MODE_KERNEL);
        if (c === 0) break;
        out.push(c);
      }
    } catch (e) {
      if (e instanceof Trap) return out.length ? Uint8Array.from(out) : null;
      throw e;
    }
    return Uint8Array.from(out);
  }

  /** A C integer of `bits` bits as the executor carries it (i32/u32 numbers, or I64). */
  asCLong(v: bigint, bits: 32 | 64, signed: boolean): I64 {
    if (bits === 64) return norm64(signed ? v : BigInt.asUintN(64, v));
    return Number(signed ? BigInt.asIntN(32, v) : BigInt.asUintN(32, v));
  }

  /** Pointer arithmetic with the arch's wrap-around (32-bit pointers are unsigned numbers). */
  ptrAdd(p: I64, n: number): I64 {
    return this.k.arch.vaBits === 64 ? add64(p, n) : (Number(p) + n) >>> 0;
  }

  /** Stores a pointer-sized value through the MMU. */
  writePtr(va: I64, v: I64): void {
    if (this.k.arch.abi.ptrBytes === 8) this.k.cpu.w64(va, v, MODE_KERNEL);
    else this.k.cpu.w32(va, Number(v) >>> 0, MODE_KERNEL);
  }

  /** Reads a NUL-terminated string through the MMU (a fault is a fault of the caller). */
  cstring(addr: I64, max = 1 << 20): Uint8Array {
    const cpu = this.k.cpu;
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const c = cpu.r8(add64(addr, i), MODE_KERNEL);
      if (c === 0) break;
      out.push(c);
    }
    return Uint8Array.from(out);
  }

  /** Formats with Linux's vsnprintf rules; args are raw values after the format. */
  formatKernel(fmtVa: I64, args: Value[], argIsDouble?: readonly boolean[]): string {
    return dec.decode(this.formatBytes(fmtVa, args, argIsDouble));
  }

  formatBytes(fmtVa: I64, args: Value[], argIsDouble?: readonly boolean[]): Uint8Array {
    const fmt = this.cstring(fmtVa);
    const pa: PrintfArg[] = args.map((v, i) => ({ value: v as number | bigint, isDouble: argIsDouble?.[i] ?? false }));
    return formatPrintf(fmt, pa, this.printfHost, 'kernel').bytes;
  }

  /** The variadic slots a va_list points at (8 bytes each), as many as a format could use. */
  private vaArgs(ap: I64, fmtVa: I64): Value[] {
    const fmt = dec.decode(this.cstring(fmtVa));
    const n = Math.min(64, (fmt.match(/%/g)?.length ?? 0) * 2 + 1);
    const out: Value[] = [];
    for (let i = 0; i < n; i++) {
      const b = this.tryRead(add64(ap, i * 8), 8);
      if (!b) break;
      const d = new DataView(b.buffer);
      out.push(fromHiLo(d.getInt32(4, true), d.getUint32(0, true)));
    }
    return out;
  }

  /** snprintf into a kernel buffer: returns what the full output would have been. */
  private snprintfInto(buf: I64, size: number, bytes: Uint8Array): void {
    if (size <= 0) return;
    const n = Math.min(bytes.length, size - 1);
    const out = new Uint8Array(n + 1);
    out.set(bytes.subarray(0, n));
    this.k.cpu.writeBytes(buf, out, MODE_KERNEL);
  }

  private defineFormatting(): void {
    const r = this.k.routines;
    const printk = (fmt: I64, args: Value[], ctx: NativeContext) => {
      const bytes = this.formatBytes(fmt, args, ctx.argIsDouble?.slice(1));
      this.k.printk(dec.decode(bytes), ctx.callerLoc);
      return bytes.length;
    };
    r.define('printk', ['fmt'], (a, ctx) => printk(a[0] as I64, a.slice(1), ctx));
    r.define('vprintk', ['fmt', 'args'], (a, ctx) => printk(a[0] as I64, this.vaArgs(a[1] as I64, a[0] as I64), ctx));
    r.define('sprintf', ['buf', 'fmt'], (a) => {
      const bytes = this.formatBytes(a[1] as I64, a.slice(2));
      this.snprintfInto(a[0] as I64, bytes.length + 1, bytes);
      return bytes.length;
    });
    r.define('snprintf', ['buf', 'size', 'fmt'], (a) => {
      const bytes = this.formatBytes(a[2] as I64, a.slice(3));
      this.snprintfInto(a[0] as I64, Number(a[1]), bytes);
      return bytes.length;
    });
    r.define('scnprintf', ['buf', 'size', 'fmt'], (a) => {
      const bytes = this.formatBytes(a[2] as I64, a.slice(3));
      const size = Number(a[1]);
      this.snprintfInto(a[0] as I64, size, bytes);
      return size <= 0 ? 0 : Math.min(bytes.length, size - 1);
    });
    r.define('vsnprintf', ['buf', 'size', 'fmt', 'args'], (a) => {
      const bytes = this.formatBytes(a[2] as I64, this.vaArgs(a[3] as I64, a[2] as I64));
      this.snprintfInto(a[0] as I64, Number(a[1]), bytes);
      return bytes.length;
    });
    r.define('vscnprintf', ['buf', 'size', 'fmt', 'args'], (a) => {
      const bytes = this.formatBytes(a[2] as I64, this.vaArgs(a[3] as I64, a[2] as I64));
      const size = Number(a[1]);
      this.snprintfInto(a[0] as I64, size, bytes);
      return size <= 0 ? 0 : Math.min(bytes.length, size - 1);
    });
    r.define('vsprintf', ['buf', 'fmt', 'args'], (a) => {
      const bytes = this.formatBytes(a[1] as I64, this.vaArgs(a[2] as I64, a[1] as I64));
      this.snprintfInto(a[0] as I64, bytes.length + 1, bytes);
      return bytes.length;
    });
    r.define('print_hex_dump_bytes', ['prefix_str', 'prefix_type', 'buf', 'len'], (a) => {
      const prefix = dec.decode(this.cstring(a[0] as I64));
      const bytes = this.k.cpu.readBytes(a[2] as I64, Number(a[3]), MODE_KERNEL);
      for (let off = 0; off < bytes.length; off += 16) {
        const row = bytes.subarray(off, off + 16);
        const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        const asc = [...row].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
        const pos = Number(a[1]) === 2 ? `${off.toString(16).padStart(8, '0')}: ` : Number(a[1]) === 1 ? `${this.k.oops.fmtPtr(add64(a[2] as I64, off))}: ` : '';
        this.k.printk(`\x017${prefix}${pos}${hex.padEnd(48, ' ')} ${asc}\n`);
      }
      return 0;
    });
    const parse = (s: string, base: number): { value: bigint; end: number; neg: boolean } | undefined => {
      let i = 0;
      let neg = false;
      if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
      if ((base === 0 || base === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
        i += 2;
        base = 16;
      } else if (base === 0) base = s[i] === '0' ? 8 : 10;
      const start = i;
      let v = 0n;
      for (; i < s.length; i++) {
        const d = parseInt(s[i], 36);
        if (Number.isNaN(d) || d >= base) break;
        v = v * BigInt(base) + BigInt(d);
      }
      if (i === start) return undefined;
      return { value: v, end: i, neg };
    };
    const simple = (name: string, bits: 32 | 64, signed: boolean) =>
      r.define(name, ['cp', 'endp', 'base'], (a) => {
        const s = dec.decode(this.cstring(a[0] as I64, 256));
        const lead = s.length - s.trimStart().length;
        const p = parse(s.slice(lead), Number(a[2]));
        if (a[1]) this.writePtr(a[1] as I64, this.ptrAdd(a[0] as I64, p ? lead + p.end : 0));
        if (!p) return 0;
        const v = p.neg ? -p.value : p.value;
        return this.asCLong(v, bits, signed);
      });
    const longBits = this.k.arch.abi.longBytes === 8 ? 64 : 32;
    simple('simple_strtoul', longBits, false);
    simple('simple_strtol', longBits, true);
    simple('simple_strtoull', 64, false);
    const kstrto = (name: string, bits: 32 | 64, signed: boolean) =>
      r.define(name, ['s', 'base', 'res'], (a) => {
        const s = dec.decode(this.cstring(a[0] as I64, 256)).replace(/\n$/, '');
        const p = parse(s, Number(a[1]));
        if (!p || p.end !== s.length || (!signed && p.neg)) return -EINVAL;
        const v = p.neg ? -p.value : p.value;
        const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
        const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
        if (v > max || v < min) return -ERANGE;
        if (bits === 64) this.k.cpu.w64(a[2] as I64, norm64(v), MODE_KERNEL);
        else this.k.cpu.w32(a[2] as I64, Number(BigInt.asUintN(32, v)), MODE_KERNEL);
        return 0;
      });
    kstrto('kstrtoul', longBits, false);
    kstrto('kstrtol', longBits, true);
    kstrto('kstrtouint', 32, false);
    kstrto('kstrtoint', 32, true);
  }

  // ---- string.h -------------------------------------------------------------------------------

  private defineStrings(): void {
    const r = this.k.routines;
    const cpu = this.k.cpu;
    const K = MODE_KERNEL;
    const read = (a: Value, n: number) => cpu.readBytes(a as I64, n, K);
    const write = (a: Value, b: Uint8Array) => cpu.writeBytes(a as I64, b, K);
    const str = (a: Value, max?: number) => this.cstring(a as I64, max);
    r.define('memset', ['s', 'c', 'n'], (a) => {
      write(a[0], new Uint8Array(Number(a[2])).fill(Number(a[1]) & 0xff));
      return a[0];
    });
    r.define('memcpy', ['dest', 'src', 'n'], (a) => {
      write(a[0], read(a[1], Number(a[2])));
      return a[0];
    });
    r.define('memmove', ['dest', 'src', 'n'], (a) => {
      write(a[0], read(a[1], Number(a[2])));
      return a[0];
    });
    r.define('memcmp', ['a', 'b', 'n'], (a) => {
      const x = read(a[0], Number(a[2]));
      const y = read(a[1], Number(a[2]));
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return 0;
    });
    r.define('memchr', ['s', 'c', 'n'], (a) => {
      const x = read(a[0], Number(a[2]));
      const i = x.indexOf(Number(a[1]) & 0xff);
      return i < 0 ? 0 : add64(a[0] as I64, i);
    });
    r.define('strlen', ['s'], (a) => str(a[0]).length);
    r.define('strnlen', ['s', 'max'], (a) => str(a[0], Number(a[1])).length);
    const copyStr = (dst: Value, src: Uint8Array) => {
      const out = new Uint8Array(src.length + 1);
      out.set(src);
      write(dst, out);
    };
    r.define('strcpy', ['dest', 'src'], (a) => {
      copyStr(a[0], str(a[1]));
      return a[0];
    });
    r.define('strncpy', ['dest', 'src', 'n'], (a) => {
      const n = Number(a[2]);
      const s = str(a[1], n);
      const out = new Uint8Array(n);
      out.set(s.subarray(0, n));
      write(a[0], out);
      return a[0];
    });
    r.define('strlcpy', ['dest', 'src', 'size'], (a) => {
      const s = str(a[1]);
      const size = Number(a[2]);
      if (size > 0) copyStr(a[0], s.subarray(0, Math.min(s.length, size - 1)));
      return s.length;
    });
    r.define('strcat', ['dest', 'src'], (a) => {
      const d = str(a[0]);
      copyStr(add64(a[0] as I64, d.length), str(a[1]));
      return a[0];
    });
    r.define('strncat', ['dest', 'src', 'n'], (a) => {
      const d = str(a[0]);
      copyStr(add64(a[0] as I64, d.length), str(a[1], Number(a[2])));
      return a[0];
    });
    r.define('strlcat', ['dest', 'src', 'n'], (a) => {
      const d = str(a[0]);
      const s = str(a[1]);
      const n = Number(a[2]);
      if (d.length < n - 1) copyStr(add64(a[0] as I64, d.length), s.subarray(0, n - 1 - d.length));
      return d.length + s.length;
    });
    const cmp = (x: Uint8Array, y: Uint8Array, n: number, fold: boolean) => {
      for (let i = 0; i < n; i++) {
        let c1 = i < x.length ? x[i] : 0;
        let c2 = i < y.length ? y[i] : 0;
        if (fold) {
          if (c1 >= 65 && c1 <= 90) c1 += 32;
          if (c2 >= 65 && c2 <= 90) c2 += 32;
        }
        if (c1 !== c2) return c1 < c2 ? -1 : 1;
        if (c1 === 0) return 0;
      }
      return 0;
    };
    r.define('strcmp', ['a', 'b'], (a) => cmp(str(a[0]), str(a[1]), Infinity, false));
    r.define('strncmp', ['a', 'b', 'n'], (a) => cmp(str(a[0], Number(a[2])), str(a[1], Number(a[2])), Number(a[2]), false));
    r.define('strcasecmp', ['a', 'b'], (a) => cmp(str(a[0]), str(a[1]), Infinity, true));
    r.define('strchr', ['s', 'c'], (a) => {
      const s = str(a[0]);
      const c = Number(a[1]) & 0xff;
      if (c === 0) return add64(a[0] as I64, s.length);
      const i = s.indexOf(c);
      return i < 0 ? 0 : add64(a[0] as I64, i);
    });
    r.define('strrchr', ['s', 'c'], (a) => {
      const s = str(a[0]);
      const c = Number(a[1]) & 0xff;
      if (c === 0) return add64(a[0] as I64, s.length);
      const i = s.lastIndexOf(c);
      return i < 0 ? 0 : add64(a[0] as I64, i);
    });
    r.define('strstr', ['haystack', 'needle'], (a) => {
      const i = dec.decode(str(a[0])).indexOf(dec.decode(str(a[1])));
      return i < 0 ? 0 : add64(a[0] as I64, i);
    });
    r.define('kstrdup', ['s', 'gfp'], (a, ctx) => {
      if (!a[0]) return 0;
      const s = str(a[0]);
      const p = this.k.slab.kmalloc(s.length + 1, Number(a[1]), this.site(ctx), this.ownerOf(ctx));
      if (p) copyStr(p, s);
      return p;
    });
    r.define('kmemdup', ['src', 'len', 'gfp'], (a, ctx) => {
      const n = Number(a[1]);
      const p = this.k.slab.kmalloc(n, Number(a[2]), this.site(ctx), this.ownerOf(ctx));
      if (p) write(p, read(a[0], n));
      return p;
    });
    void enc;
  }

  // ---- allocation -----------------------------------------------------------------------------

  /** Where an allocation came from, for leak and double-free reports. */
  site(ctx: NativeContext): string {
    const top = ctx.thread.top;
    const fn = top?.kind === 'c' ? top.fn.name : top?.kind === 'native' ? top.routine.name : '?';
    return ctx.callerLoc ? `${fn} (${ctx.callerLoc.file}:${ctx.callerLoc.line})` : fn;
  }

  /** The module whose code is calling (allocations are charged to it for leak checks). */
  ownerOf(ctx: NativeContext): string {
    const top = ctx.thread.top;
    return top?.kind === 'c' ? top.fn.unit : 'kernel';
  }

  private kfreeChecked(va: I64, ctx: NativeContext, what: string): void {
    if (typeof va !== 'number') throw new KernelBug('mm/slub.c', 3370, `${what} of a non-canonical pointer`);
    const err = this.k.slab.kfree(va, this.site(ctx));
    if (err) {
      const t = this.k.current;
      this.k.printk('\x013=============================================================================\n');
      this.k.printk(`\x013BUG ${what}: ${err}\n`);
      this.k.printk('\x013-----------------------------------------------------------------------------\n');
      this.k.printk(`\x013INFO: Freeing object at 0x${this.k.oops.fmtPtr(va)} from ${this.site(ctx)}\n`);
      this.k.oops.dumpStack(t, '');
      this.k.emit({ kind: 'warn', pid: t.pid, text: `${what}: ${err}` });
    }
  }

  private defineAllocation(): void {
    const k = this.k;
    const r = k.routines;
    const kmalloc = (size: Value, gfp: Value, ctx: NativeContext, extraZero = 0) =>
      k.slab.kmalloc(Number(size), Number(gfp) | extraZero, this.site(ctx), this.ownerOf(ctx));
    r.define('kmalloc', ['size', 'flags'], (a, ctx) => kmalloc(a[0], a[1], ctx));
    r.define('__kmalloc', ['size', 'flags'], (a, ctx) => kmalloc(a[0], a[1], ctx));
    r.define('kzalloc', ['size', 'flags'], (a, ctx) => kmalloc(a[0], a[1], ctx, GFP_ZERO));
    const arr = (a: Value[], ctx: NativeContext, zero: number) => {
      const n = BigInt.asUintN(64, BigInt(a[0] as I64));
      const size = BigInt.asUintN(64, BigInt(a[1] as I64));
      if (size !== 0n && n > BigInt(Number.MAX_SAFE_INTEGER) / size) return 0;
      return kmalloc(Number(n * size), a[2], ctx, zero);
    };
    r.define('kcalloc', ['n', 'size', 'flags'], (a, ctx) => arr(a, ctx, GFP_ZERO));
    r.define('kmalloc_array', ['n', 'size', 'flags'], (a, ctx) => arr(a, ctx, 0));
    r.define('krealloc', ['p', 'new_size', 'flags'], (a, ctx) => {
      const old = a[0] as number;
      const size = Number(a[1]);
      if (old && old !== 16 && k.slab.ksize(old) >= size && size > 0) return old;
      const p = kmalloc(size, a[2], ctx);
      if (p && old && old !== 16) {
        const n = Math.min(k.slab.objectAt(old)?.requestedBytes ?? 0, size);
        k.cpu.writeBytes(p, k.cpu.readBytes(old, n, MODE_KERNEL), MODE_KERNEL);
        this.kfreeChecked(old, ctx, 'krealloc');
      }
      return p;
    });
    r.define('kfree', ['objp'], (a, ctx) => {
      this.kfreeChecked(a[0] as I64, ctx, 'kfree');
      return 0;
    });
    r.define('kzfree', ['objp'], (a, ctx) => {
      const p = a[0] as number;
      if (p && p !== 16) k.km.fill(p, 0, k.slab.ksize(p));
      this.kfreeChecked(p, ctx, 'kzfree');
      return 0;
    });
    r.define('ksize', ['objp'], (a) => k.slab.ksize(a[0] as number));
    r.define('kmem_cache_create', ['name', 'size', 'align', 'flags', 'ctor'], (a) => k.slab.createCache(dec.decode(this.cstring(a[0] as I64, 64)), Number(a[1]), Number(a[2]), a[4] as I64).va);
    r.define('kmem_cache_destroy', ['cachep'], (a) => {
      const c = k.slab.cacheAt(a[0] as number);
      if (c) {
        const leaked = k.slab.destroyCache(c);
        if (leaked) k.printk(`\x013kmem_cache_destroy ${c.name}: Slab cache still has objects\n`);
      }
      return 0;
    });
    const cacheAlloc = (a: Value[], ctx: NativeContext, zero: boolean) => {
      const c = k.slab.cacheAt(a[0] as number);
      if (!c) throw new KernelBug('mm/slub.c', 2400, 'kmem_cache_alloc on something that is not a kmem_cache');
      const va = k.slab.allocFrom(c, zero || (Number(a[1]) & GFP_ZERO) !== 0);
      if (va) k.slab.live.set(va, { va, requestedBytes: c.objSize, cache: c, allocSite: this.site(ctx), owner: this.ownerOf(ctx) });
      return va;
    };
    r.define('kmem_cache_alloc', ['cachep', 'flags'], (a, ctx) => cacheAlloc(a, ctx, false));
    r.define('kmem_cache_zalloc', ['cachep', 'flags'], (a, ctx) => cacheAlloc(a, ctx, true));
    r.define('kmem_cache_free', ['cachep', 'objp'], (a, ctx) => {
      this.kfreeChecked(a[1] as I64, ctx, 'kmem_cache_free');
      return 0;
    });
    const vm = (size: Value, ctx: NativeContext, opts: { zero: boolean; userMap: boolean; align?: number; exec?: boolean }) => {
      if (k.current.preemptCount > 0) throw new KernelBug('mm/vmalloc.c', 1330, 'vmalloc in atomic context (BUG_ON(in_interrupt()))');
      return k.vmalloc.alloc(Number(size), { align: opts.align ?? 1, zero: opts.zero, userMap: opts.userMap, caller: this.site(ctx), owner: this.ownerOf(ctx), exec: opts.exec });
    };
    r.define('vmalloc', ['size'], (a, ctx) => vm(a[0], ctx, { zero: false, userMap: false }));
    r.define('vzalloc', ['size'], (a, ctx) => vm(a[0], ctx, { zero: true, userMap: false }));
    r.define('vmalloc_user', ['size'], (a, ctx) => vm(a[0], ctx, { zero: true, userMap: true, align: PAGE_SIZE }));
    r.define('vmalloc_32', ['size'], (a, ctx) => vm(a[0], ctx, { zero: false, userMap: false }));
    r.define('vmalloc_32_user', ['size'], (a, ctx) => vm(a[0], ctx, { zero: true, userMap: true, align: PAGE_SIZE }));
    r.define('vmalloc_exec', ['size'], (a, ctx) => vm(a[0], ctx, { zero: false, userMap: false, exec: true }));
    r.define('vfree', ['addr'], (a) => {
      const addr = a[0] as number;
      if (!addr) return 0;
      const err = k.vmalloc.free(addr);
      if (err) k.oops.warn(k.current, 'mm/vmalloc.c', 1455, err);
      return 0;
    });
    r.define('find_vm_area', ['addr'], (a) => k.vmalloc.find(a[0] as number)?.vmVa ?? 0);
    r.define('is_vmalloc_addr', ['x'], (a) => (k.vmalloc.isVmallocAddr(a[0] as I64) ? 1 : 0));
    r.define('vm_unmap_aliases', [], () => {
      k.vmalloc.purgeLazy();
      return 0;
    });
    // A highmem frame has an address only while it is kmapped.
    const pageAddr = (pfn: number) => k.highmem.pageAddress(pfn);
    r.define('alloc_pages', ['gfp_mask', 'order'], (a) => {
      const pfn = k.pages.alloc(Number(a[1]), Number(a[0]), 'page');
      return pfn === undefined ? 0 : k.pages.pageVa(pfn);
    });
    r.define('__get_free_pages', ['gfp_mask', 'order'], (a) => {
      const pfn = k.pages.alloc(Number(a[1]), Number(a[0]) & ~0x2, 'page');
      return pfn === undefined ? 0 : pageAddr(pfn);
    });
    r.define('get_zeroed_page', ['gfp_mask'], (a) => {
      const pfn = k.pages.alloc(0, (Number(a[0]) & ~0x2) | GFP_ZERO, 'page');
      return pfn === undefined ? 0 : pageAddr(pfn);
    });
    const freePages = (pfn: number, order: number, what: string) => {
      const n = k.pages.count(pfn);
      if (n <= 0) {
        k.memory.badPage(pfn, `${what} of a page that is already free`);
        return;
      }
      if (n > 1) {
        k.pages.setCount(pfn, n - 1);
        return;
      }
      k.pages.setCount(pfn, 0);
      k.pages.free(pfn, k.pages.orderOf(pfn) ?? order);
    };
    r.define('__free_pages', ['page', 'order'], (a) => {
      freePages(k.memory.pfnOfPage(a[0] as number, '__free_pages'), Number(a[1]), '__free_pages');
      return 0;
    });
    r.define('free_pages', ['addr', 'order'], (a) => {
      if (!a[0]) return 0;
      const pa = k.directMapPa(a[0] as I64);
      if (pa === undefined) throw new KernelBug('mm/page_alloc.c', 2605, 'free_pages of an address outside the direct map');
      freePages(Math.floor(pa / PAGE_SIZE), Number(a[1]), 'free_pages');
      return 0;
    });
    r.define('get_order', ['size'], (a) => Math.max(0, Math.ceil(Math.log2(Math.max(1, Math.ceil(Number(a[0]) / PAGE_SIZE))))));
    r.define('page_address', ['page'], (a) => pageAddr(k.memory.pfnOfPage(a[0] as number, 'page_address')));
    r.define('virt_to_page', ['addr'], (a) => {
      const pa = k.directMapPa(a[0] as I64);
      return pa === undefined ? 0 : k.pages.pageVa(Math.floor(pa / PAGE_SIZE));
    });
    r.define('pfn_to_page', ['pfn'], (a) => k.pages.pageVa(Number(a[0])));
    r.define('page_to_pfn', ['page'], (a) => k.pages.pfnOfPage(a[0] as number) ?? Math.floor(((a[0] as number) - k.pages.pageVa(0)) / k.pages.pageStructBytes));
    r.define('__kmemlab_pa', ['x'], (a) => {
      // __pa() is plain arithmetic in Linux: it does not check what it is given.
      const va = a[0] as I64;
      const pa = k.directMapPa(va);
      if (pa !== undefined) return pa;
      return this.asCLong(toUnsignedBig(va) - toUnsignedBig(k.arch.layout.pageOffset), k.arch.vaBits, false);
    });
    r.define('__kmemlab_va', ['pa'], (a) => this.ptrAdd(k.arch.layout.pageOffset, Number(a[0])));
    r.define('__kmemlab_virt_addr_valid', ['kaddr'], (a) => (k.directMapPa(a[0] as I64) !== undefined ? 1 : 0));
    r.define('__kmemlab_pfn_valid', ['pfn'], (a) => (Number(a[0]) >= 0 && Number(a[0]) < k.pages.frameCount ? 1 : 0));
    r.define('__kmemlab_vmalloc_start', [], () => k.arch.layout.vmallocStart);
    r.define('__kmemlab_vmalloc_end', [], () => k.arch.layout.vmallocEnd);
  }
}
