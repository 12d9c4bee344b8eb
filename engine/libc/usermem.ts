/**
 * How libc touches the process's memory. Any user page may be absent (not yet faulted in, or
 * backed by a driver's `.fault` handler), so every access is a generator step: a Trap is handed to
 * the kernel with `yield { kind: 'trap' }`, and when the kernel has fixed the fault the generator
 * resumes and the same access runs again. If the kernel cannot fix it, it kills the process and
 * the generator is simply abandoned. Each access below either completes or has no effect, so
 * retrying one never repeats half of it.
 */
import { MODE_USER, Trap, type Cpu } from '../machine/cpu';
import type { NativeRequest, Value } from '../exec/types';
import type { I64 } from '../util/int64';

/** A libc routine's generator: it yields kernel requests and returns its C value. */
export type Step<T> = Generator<NativeRequest, T, Value | undefined>;

const PAGE_SIZE = 4096;
/** First read size when scanning for a NUL: most strings are short. */
const FIRST_SCAN_BYTES = 64;
const READ_CHUNK_BYTES = 1 << 20;

/** Runs `access` until it stops faulting, asking the kernel to handle each fault. */
export function* retrying<T>(access: () => T): Step<T> {
  for (;;) {
    try {
      return access();
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      yield { kind: 'trap', trap: e };
    }
  }
}

/** The process's memory as libc sees it: user-mode accesses of the widths C uses. */
export class UserMemory {
  constructor(readonly cpu: Cpu, readonly ptrBytes: 4 | 8) {}

  /**
   * Reads n bytes. Large reads go a chunk at a time, so a wild length (memcpy with (size_t)-1)
   * faults at the end of the mapped memory, as it would on hardware, instead of asking the host
   * for an impossible buffer first.
   */
  *read(va: number, n: number): Step<Uint8Array> {
    if (n <= READ_CHUNK_BYTES) return yield* retrying(() => this.cpu.readBytes(va, n, MODE_USER));
    const parts: Uint8Array[] = [];
    for (let done = 0; done < n; ) {
      const at = va + done;
      const len = Math.min(READ_CHUNK_BYTES, n - done);
      parts.push(yield* retrying(() => this.cpu.readBytes(at, len, MODE_USER)));
      done += len;
    }
    return concat(parts, n);
  }

  write(va: number, bytes: Uint8Array): Step<void> {
    return retrying(() => this.cpu.writeBytes(va, bytes, MODE_USER));
  }

  /** Fills n bytes page by page, so a huge memset never materialises a huge host buffer. */
  *fill(va: number, value: number, n: number): Step<void> {
    let done = 0;
    const chunk = new Uint8Array(Math.min(n, PAGE_SIZE)).fill(value);
    while (done < n) {
      const len = Math.min(n - done, PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)));
      const at = va + done;
      yield* retrying(() => this.cpu.writeBytes(at, chunk.subarray(0, len), MODE_USER));
      done += len;
    }
  }

  u8(va: number): Step<number> {
    return retrying(() => this.cpu.r8(va, MODE_USER));
  }

  w8(va: number, v: number): Step<void> {
    return retrying(() => this.cpu.w8(va, v, MODE_USER));
  }

  w16(va: number, v: number): Step<void> {
    return retrying(() => this.cpu.w16(va, v, MODE_USER));
  }

  i32(va: number): Step<number> {
    return retrying(() => this.cpu.r32s(va, MODE_USER));
  }

  w32(va: number, v: number): Step<void> {
    return retrying(() => this.cpu.w32(va, v, MODE_USER));
  }

  i64(va: number): Step<I64> {
    return retrying(() => this.cpu.r64(va, MODE_USER));
  }

  w64(va: number, v: I64): Step<void> {
    return retrying(() => this.cpu.w64(va, v, MODE_USER));
  }

  f64(va: number): Step<number> {
    return retrying(() => this.cpu.rf64(va, MODE_USER));
  }

  wf64(va: number, v: number): Step<void> {
    return retrying(() => this.cpu.wf64(va, v, MODE_USER));
  }

  wf32(va: number, v: number): Step<void> {
    return retrying(() => this.cpu.wf32(va, v, MODE_USER));
  }

  /** A pointer-sized (size_t, long) unsigned word, as a JS number (inexact above 2^53, where only its size matters). */
  word(va: number): Step<number> {
    if (this.ptrBytes === 4) return retrying(() => this.cpu.r32(va, MODE_USER));
    return retrying(() => {
      const v = toAddress(this.cpu.r64(va, MODE_USER));
      return v < 0 ? v + 18446744073709551616 : v;
    });
  }

  wword(va: number, v: number): Step<void> {
    if (this.ptrBytes === 4) return retrying(() => this.cpu.w32(va, v >>> 0, MODE_USER));
    return retrying(() => this.cpu.w64(va, v, MODE_USER));
  }

  /** Stores an integer of `bytes` width (for scanf's and printf's %n targets). */
  wint(va: number, v: I64, bytes: 1 | 2 | 4 | 8): Step<void> {
    switch (bytes) {
      case 1: return this.w8(va, Number(BigInt.asIntN(8, BigInt(v))) & 0xff);
      case 2: return this.w16(va, Number(BigInt.asUintN(16, BigInt(v))));
      case 4: return this.w32(va, Number(BigInt.asUintN(32, BigInt(v))));
      case 8: return this.w64(va, v);
    }
  }

  /**
   * The bytes of the C string at va, without its NUL, at most maxBytes of them. Reads grow from
   * a short first chunk to whole pages and never cross into a page before they need to, so a
   * string that ends just before an unmapped page does not fault. Throws the Trap of a fault.
   */
  cstringNow(va: number, maxBytes = Infinity): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    let want = FIRST_SCAN_BYTES;
    for (;;) {
      const at = va + total;
      const toPageEnd = PAGE_SIZE - (at & (PAGE_SIZE - 1));
      const n = Math.min(want, toPageEnd, maxBytes - total);
      if (n <= 0) return concat(parts, total);
      const chunk = this.cpu.readBytes(at, n, MODE_USER);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        parts.push(chunk.subarray(0, nul));
        return concat(parts, total + nul);
      }
      parts.push(chunk);
      total += n;
      want = PAGE_SIZE;
    }
  }

  /** cstringNow with faults handled (a retry starts over: reading has no effect to repeat). */
  cstring(va: number, maxBytes = Infinity): Step<Uint8Array> {
    return retrying(() => this.cstringNow(va, maxBytes));
  }

  /** Length of the C string at va (strlen), at most maxBytes. */
  *strlen(va: number, maxBytes = Infinity): Step<number> {
    return (yield* this.cstring(va, maxBytes)).length;
  }

  /** Writes bytes followed by a NUL. */
  writeCString(va: number, bytes: Uint8Array): Step<void> {
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes);
    return this.write(va, out);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A pointer value as an address the CPU can be given. User addresses are always safe numbers; a
 * bigint is a non-canonical pointer and is passed on so that the access raises #GP as it would.
 */
export function toAddress(v: Value | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return 0;
}

/** Signed 64-bit result of a raw syscall as a JS number (results are small or user addresses). */
export function asNumber(v: Value | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return 0;
}
