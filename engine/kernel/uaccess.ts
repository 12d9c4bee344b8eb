/**
 * User access from kernel code (FACTS §C): access_ok against current's addr_limit, then copies
 * that may fault. Every routine here has an exception-table entry: when a fault cannot be
 * serviced, the handler answers "fixup" and the routine returns its error (bytes not copied, or
 * -EFAULT) instead of oopsing. A fault that can be serviced — a page not yet present, even one a
 * driver's ->fault provides — is handled and the copy goes on.
 */
import { Trap } from '../machine/cpu';
import { MODE_KERNEL } from '../machine/tlb';
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../exec/types';
import { add64, type I64 } from '../util/int64';
import { EFAULT } from './errno';
import { FAULT_FIXUP } from './fault';
import type { Kernel } from './kernel';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export class Uaccess {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    const fx = { fixup: true };
    r.define('__kmemlab_access_ok', ['type', 'addr', 'size'], (a) => (this.accessOk(a[1] as I64, Number(a[2])) ? 1 : 0));
    r.define('copy_to_user', ['to', 'from', 'n'], (a) => this.copyToUser(a[0] as I64, a[1] as I64, Number(a[2]), true), fx);
    r.define('__copy_to_user', ['to', 'from', 'n'], (a) => this.copyToUser(a[0] as I64, a[1] as I64, Number(a[2]), false), fx);
    r.define('copy_from_user', ['to', 'from', 'n'], (a) => this.copyFromUser(a[0] as I64, a[1] as I64, Number(a[2]), true), fx);
    r.define('__copy_from_user', ['to', 'from', 'n'], (a) => this.copyFromUser(a[0] as I64, a[1] as I64, Number(a[2]), false), fx);
    r.define('clear_user', ['to', 'n'], (a) => this.clearUser(a[0] as I64, Number(a[1]), true), fx);
    r.define('__clear_user', ['to', 'n'], (a) => this.clearUser(a[0] as I64, Number(a[1]), false), fx);
    r.define('strncpy_from_user', ['dst', 'src', 'count'], (a) => this.strncpyFromUser(a[0] as I64, a[1] as I64, Number(a[2])), fx);
    r.define('strnlen_user', ['src', 'n'], (a) => this.strnlenUser(a[0] as I64, Number(a[1])), fx);
    for (const n of [1, 2, 4, 8]) {
      r.define(`__put_user_${n}`, ['kernel_src', 'ptr'], (a) => this.putUser(a[0] as I64, a[1] as I64, n), fx);
      r.define(`__get_user_${n}`, ['kernel_dst', 'ptr'], (a) => this.getUser(a[0] as I64, a[1] as I64, n), fx);
    }
    r.define('probe_kernel_read', ['dst', 'src', 'size'], (a) => this.probeKernel(a[0] as I64, a[1] as I64, Number(a[2])), fx);
    r.define('probe_kernel_write', ['dst', 'src', 'size'], (a) => this.probeKernel(a[0] as I64, a[1] as I64, Number(a[2])), fx);
    r.define('get_fs', [], () => this.segBytes(this.k.current.addrLimit));
    r.define('set_fs', ['fs'], (a) => {
      const v = a[0];
      this.k.current.addrLimit = v instanceof Uint8Array ? this.segFromBytes(v) : (v as I64);
      return 0;
    });
  }

  private segBytes(v: I64): Uint8Array {
    const b = new Uint8Array(this.k.arch.abi.ptrBytes);
    const d = new DataView(b.buffer);
    const u = BigInt.asUintN(64, BigInt(v));
    d.setUint32(0, Number(u & 0xffffffffn), true);
    if (b.length === 8) d.setUint32(4, Number(u >> 32n), true);
    return b;
  }

  private segFromBytes(b: Uint8Array): I64 {
    const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (b.length === 8) {
      const u = BigInt(d.getUint32(0, true)) | (BigInt(d.getUint32(4, true)) << 32n);
      const s = BigInt.asIntN(64, u);
      return s >= BigInt(Number.MIN_SAFE_INTEGER) && s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
    }
    return d.getUint32(0, true);
  }

  /** access_ok: addr + size must not wrap and must stay within current's addr_limit. */
  accessOk(addr: I64, size: number): boolean {
    const bits = BigInt(this.k.arch.vaBits);
    const end = BigInt.asUintN(Number(bits), BigInt(addr)) + BigInt(size);
    if (end >= 1n << bits) return false;
    return end <= BigInt.asUintN(Number(bits), BigInt(this.k.current.addrLimit));
  }

  /**
   * Copies n bytes page by page; a fault asks the handler, which either makes the page present
   * (retry) or says there is nothing to be done (fixup). Returns bytes not copied.
   */
  private *copy(dst: I64, src: I64, n: number, fill?: number): Gen<number> {
    const cpu = this.k.cpu;
    let done = 0;
    while (done < n) {
      const s = typeof src === 'number' ? src + done : src;
      const d = typeof dst === 'number' ? dst + done : dst;
      const sOff = typeof s === 'number' ? s & 4095 : 0;
      const dOff = typeof d === 'number' ? d & 4095 : 0;
      const chunk = Math.min(n - done, PAGE_SIZE - sOff, PAGE_SIZE - dOff);
      try {
        const bytes = fill === undefined ? cpu.readBytes(s, chunk, MODE_KERNEL) : new Uint8Array(chunk).fill(fill);
        cpu.writeBytes(d, bytes, MODE_KERNEL);
        done += chunk;
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) return n - done;
      }
    }
    return 0;
  }

  *copyToUser(to: I64, from: I64, n: number, check: boolean): NativeGen {
    if (check && !this.accessOk(to, n)) return n;
    return yield* this.copy(to, from, n);
  }

  *copyFromUser(to: I64, from: I64, n: number, check: boolean): NativeGen {
    if (check && !this.accessOk(from, n)) {
      this.zeroKernel(to, n);
      return n;
    }
    const left = yield* this.copy(to, from, n);
    if (left > 0) this.zeroKernel(typeof to === 'number' ? to + (n - left) : to, left);
    return left;
  }

  /**
   * probe_kernel_read/write: a copy with page faults disabled and no addr_limit check, so a bad
   * kernel address gives -EFAULT through the exception table instead of an oops.
   */
  private *probeKernel(dst: I64, src: I64, n: number): NativeGen {
    const t = this.k.current;
    t.preemptCount++;
    try {
      return (yield* this.copy(dst, src, n)) === 0 ? 0 : -EFAULT;
    } finally {
      t.preemptCount--;
    }
  }

  /** copy_from_user zero-fills what it could not copy, so stale kernel data never leaks. */
  private zeroKernel(to: I64, n: number): void {
    try {
      this.k.cpu.writeBytes(to, new Uint8Array(n), MODE_KERNEL);
    } catch {
      // The kernel buffer itself is bad; the caller will find out.
    }
  }

  *clearUser(to: I64, n: number, check: boolean): NativeGen {
    if (check && !this.accessOk(to, n)) return n;
    return yield* this.copy(to, 0, n, 0);
  }

  /** __put_user_N: N bytes from a kernel buffer to user space; 0 or -EFAULT. */
  *putUser(src: I64, ptr: I64, n: number): NativeGen {
    if (!this.accessOk(ptr, n)) return -EFAULT;
    const left = yield* this.copy(ptr, src, n);
    return left === 0 ? 0 : -EFAULT;
  }

  /** __get_user_N: N bytes from user space into a kernel buffer (zeroed on failure). */
  *getUser(dst: I64, ptr: I64, n: number): NativeGen {
    if (!this.accessOk(ptr, n)) {
      this.zeroKernel(dst, n);
      return -EFAULT;
    }
    const left = yield* this.copy(dst, ptr, n);
    if (left !== 0) {
      this.zeroKernel(dst, n);
      return -EFAULT;
    }
    return 0;
  }

  /** Reads one user byte through the MMU with fault handling; undefined after a fixup. */
  private *userByte(addr: I64): Gen<number | undefined> {
    for (;;) {
      try {
        return this.k.cpu.r8(addr, MODE_KERNEL);
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) return undefined;
      }
    }
  }

  *strncpyFromUser(dst: I64, src: I64, count: number): NativeGen {
    if (!this.accessOk(src, 1)) return -EFAULT;
    let i = 0;
    for (; i < count; i++) {
      const c = yield* this.userByte(add64(src, i));
      if (c === undefined) return -EFAULT;
      this.k.cpu.w8(add64(dst, i), c, MODE_KERNEL);
      if (c === 0) return i;
    }
    return i;
  }

  *strnlenUser(src: I64, n: number): NativeGen {
    if (!this.accessOk(src, 1)) return 0;
    for (let i = 0; i < n; i++) {
      const c = yield* this.userByte(add64(src, i));
      if (c === undefined) return 0;
      if (c === 0) return i + 1;
    }
    return n + 1;
  }

  /** For kernel routines: reads user memory with the same fault handling (undefined: fault). */
  *readUser(addr: I64, n: number): Gen<Uint8Array | undefined> {
    for (;;) {
      try {
        return this.k.cpu.readBytes(addr, n, MODE_KERNEL);
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) return undefined;
      }
    }
  }

  *writeUser(addr: I64, bytes: Uint8Array): Gen<boolean> {
    for (;;) {
      try {
        this.k.cpu.writeBytes(addr, bytes, MODE_KERNEL);
        return true;
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        const verdict = yield { kind: 'trap', trap: e };
        if (verdict === FAULT_FIXUP) return false;
      }
    }
  }
}

