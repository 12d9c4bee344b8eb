// The contract between the printf engine and whoever calls it (the user libc's printf family and
// the emulated kernel's printk/vsnprintf). Re-exported by printf.ts, the public entry point.

import type { RoundingMode } from './float';
export type { PrintfArg } from './args';
export type { RoundingMode } from './float';

export interface PrintfHost {
  longBits: 32 | 64;
  ptrBits: 32 | 64;
  /**
   * Kernel %pa/%pap/%pad: width of phys_addr_t / dma_addr_t. 64 on x86_64 and i386 PAE, 32 on
   * plain i386. Defaults to ptrBits.
   */
  physAddrBits?: 32 | 64;
  /** fesetround() state of the user program; glibc honours it in %f %e %g %a. Default 'nearest'. */
  roundingMode?: RoundingMode;
  /**
   * Bytes of a NUL-terminated string at addr, without the NUL, at most maxBytes; null if the
   * memory can't be read (the caller decides what a fault means). Addresses follow the
   * emulator's value convention: 64-bit ones signed (a number when safe), 32-bit ones unsigned.
   */
  readCString(addr: number | bigint, maxBytes: number): Uint8Array | null;
  readBytes(addr: number | bigint, n: number): Uint8Array | null;
  /** Kernel %pS/%ps/%pF/%pf/%pB: symbol name, offset and size for an address, if known. */
  lookupSymbol?(addr: number | bigint): { name: string; offset: number; sizeBytes: number; module?: string } | undefined;
  /** %n (libc, and the kernel's 3.7 %n which still stores): store the count so far. */
  storeCount?(addr: number | bigint, count: number, bits: 8 | 16 | 32 | 64): void;
  /** glibc %m: strerror(errno) of the calling program. Without it %m prints as an unknown conversion. */
  errnoText?(): string;
}

export type PrintfFlavor = 'libc' | 'kernel';

export interface PrintfResult {
  bytes: Uint8Array;
  /** Argument slots consumed (for positional %n$ formats, the highest slot referenced). */
  argsUsed: number;
  /**
   * An address a conversion had to read and could not.
   * libc: formatting stopped there and `bytes` holds the output before that conversion; the
   * caller raises SIGSEGV as glibc's strlen would.
   * kernel: 3.7 dereferences such pointers unchecked, so the real kernel oopses inside string();
   * formatting continues with "(efault)" in its place (what later kernels print) and the caller
   * may turn `fault` into an oops for 3.7 fidelity.
   */
  fault?: { addr: number | bigint };
  /**
   * Set when glibc's vfprintf would return -1 with this errno: EINVAL for a format that ends in
   * the middle of a conversion, EILSEQ for a wide character with no C-locale byte, EOVERFLOW for
   * a width or precision past INT_MAX. `bytes` holds what had been written before.
   */
  error?: 'EINVAL' | 'EILSEQ' | 'EOVERFLOW';
}
