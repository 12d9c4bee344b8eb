// Linux 3.7 lib/vsprintf.c: format_decode() + vsnprintf(), for printk, sprintf, snprintf,
// scnprintf and friends. Output is the untruncated text; the caller applies the buffer size
// (snprintf's "would have written" count is bytes.length).
//
// What 3.7 does that glibc does not, and is reproduced here:
// - only h hh l ll L z Z t qualifiers; %j, %q and every float conversion (%f %e %g %a) are
//   "invalid": a lone '%' is printed, the conversion letter then prints as plain text, and no
//   argument is consumed (so printk("%f", x) prints "%f"). The kernel has no FPU support.
// - %zd reads size_t (unsigned): on i386 a negative ssize_t prints as 4294967295 (3.8 fixed it);
//   %t reads a signed ptrdiff_t, so %tx of -1 prints 64 bits of f even on i386.
// - a negative '*' precision becomes 0, and "%.s" keeps the precision absent (-1).
// - %s of any pointer below PAGE_SIZE prints "(null)".
// - %n still stores the count (3.7's comment says it is ignored; the code stores).
// - width and precision are s16.

import { argAddress, argInteger, ArgCursor, argLow32, argPointerValue, reinterpret64, type IntValue, type PrintfArg } from './args';
import { kernelPointer, EFAULT_TEXT } from './kernel-pointer';
import { kernelNumber, kernelString, kernelText, LEFT, PLUS, s16, SIGN, SMALL, SPACE, SPECIAL, ZEROPAD, type KernelSpec } from './kernel-number';
import { ByteSink } from './sink';
import type { PrintfHost, PrintfResult } from './types';

const PAGE_SIZE = 4096;
/** strnlen(s, -1): the bound handed to readCString when there is no precision. */
const UNBOUNDED_STRING_BYTES = 0x7fffffff;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function lower(c: number): number {
  return c | 0x20;
}

class KernelFormatter {
  private readonly sink = new ByteSink();
  private readonly cursor: ArgCursor;
  private fault: { addr: number | bigint } | undefined;

  constructor(
    private readonly fmt: Uint8Array,
    args: readonly PrintfArg[],
    private readonly host: PrintfHost,
  ) {
    this.cursor = new ArgCursor(args);
  }

  private at(i: number): number {
    return i < this.fmt.length ? this.fmt[i] : 0;
  }

  /** skip_atoi(): an int that wraps like C's, stored into an s16 by the caller. */
  private skipAtoi(pos: number): { value: number; next: number } {
    let value = 0;
    let i = pos;
    while (isDigit(this.at(i))) value = (Math.imul(value, 10) + (this.at(i++) - 0x30)) | 0;
    return { value, next: i };
  }

  run(): PrintfResult {
    const sink = this.sink;
    const fmt = this.fmt;
    let i = 0;
    while (this.at(i) !== 0) {
      if (fmt[i] !== 0x25) {
        const start = i;
        while (this.at(i) !== 0 && fmt[i] !== 0x25) i++;
        sink.bytes(fmt, start, i);
        continue;
      }
      i = this.conversion(i + 1);
    }
    const result: PrintfResult = { bytes: sink.result(), argsUsed: this.cursor.used };
    if (this.fault) result.fault = this.fault;
    return result;
  }

  /** One format_decode() + its vsnprintf() case; returns where the format continues. */
  private conversion(pos: number): number {
    let i = pos;
    const spec: KernelSpec = { flags: 0, base: 10, fieldWidth: -1, precision: -1 };
    for (;; i++) {
      const c = this.at(i);
      if (c === 0x2d) spec.flags |= LEFT;
      else if (c === 0x2b) spec.flags |= PLUS;
      else if (c === 0x20) spec.flags |= SPACE;
      else if (c === 0x23) spec.flags |= SPECIAL;
      else if (c === 0x30) spec.flags |= ZEROPAD;
      else break;
    }

    if (isDigit(this.at(i))) {
      const n = this.skipAtoi(i);
      spec.fieldWidth = s16(n.value);
      i = n.next;
    } else if (this.at(i) === 0x2a) {
      i++;
      spec.fieldWidth = s16(argLow32(this.cursor.take()));
      if (spec.fieldWidth < 0) {
        spec.fieldWidth = s16(-spec.fieldWidth);
        spec.flags |= LEFT;
      }
    }

    if (this.at(i) === 0x2e) {
      i++;
      if (isDigit(this.at(i))) {
        const n = this.skipAtoi(i);
        spec.precision = Math.max(0, s16(n.value));
        i = n.next;
      } else if (this.at(i) === 0x2a) {
        i++;
        spec.precision = Math.max(0, s16(argLow32(this.cursor.take())));
      }
    }

    let qualifier = 0;
    const q = this.at(i);
    if (q === 0x68 || lower(q) === 0x6c || lower(q) === 0x7a || q === 0x74) {
      qualifier = q;
      i++;
      if (this.at(i) === qualifier && (qualifier === 0x6c || qualifier === 0x68)) {
        qualifier = qualifier === 0x6c ? 0x4c /* L */ : 0x48 /* H */;
        i++;
      }
    }

    const conv = this.at(i);
    switch (conv) {
      case 0x63: // c
        this.char(spec);
        return i + 1;
      case 0x73: // s
        this.string(spec);
        return i + 1;
      case 0x70: {
        // p: the extension letters are every alphanumeric after it, all skipped.
        let end = i + 1;
        while (isAlnum(this.at(end))) end++;
        kernelPointer(
          { sink: this.sink, host: this.host, noteFault: (addr) => this.noteFault(addr) },
          this.fmt.subarray(i + 1, end),
          this.cursor.take(),
          spec,
        );
        return end;
      }
      case 0x6e: // n
        this.storeCount(qualifier);
        return i + 1;
      case 0x25: // %
        this.sink.byte(0x25);
        return i + 1;
      case 0x6f: // o
        spec.base = 8;
        break;
      case 0x78: // x
        spec.flags |= SMALL;
        spec.base = 16;
        break;
      case 0x58: // X
        spec.base = 16;
        break;
      case 0x64: // d
      case 0x69: // i
        spec.flags |= SIGN;
        break;
      case 0x75: // u
        break;
      default:
        // FORMAT_TYPE_INVALID: '%' alone; the offending character is re-read as text.
        this.sink.byte(0x25);
        return i;
    }
    kernelNumber(this.sink, this.integerArg(qualifier, (spec.flags & SIGN) !== 0), spec);
    return i + 1;
  }

  /** The va_arg() of each FORMAT_TYPE_*, widened to the unsigned long long number() takes. */
  private integerArg(qualifier: number, signed: boolean): IntValue {
    const arg = this.cursor.take();
    const { longBits, ptrBits } = this.host;
    switch (qualifier) {
      case 0x4c: // L (ll or L): long long
        return argInteger(arg, 64, signed);
      case 0x6c: // l
        return argInteger(arg, longBits, signed);
      case 0x7a: // z
      case 0x5a: // Z: size_t, unsigned even for %zd in 3.7
        return reinterpret64(argInteger(arg, ptrBits, false), signed);
      case 0x74: // t: ptrdiff_t, signed even for %tu
        return reinterpret64(argInteger(arg, ptrBits, true), signed);
      case 0x48: // H
        return argInteger(arg, 8, signed);
      case 0x68: // h
        return argInteger(arg, 16, signed);
      default:
        return argInteger(arg, 32, signed);
    }
  }

  private char(spec: KernelSpec): void {
    const sink = this.sink;
    let width = spec.fieldWidth;
    // while (--field_width > 0) on an s16.
    const drain = (): void => {
      const next = s16(width - 1);
      if (next > 0) {
        sink.repeat(0x20, next);
        width = 0;
      } else width = next;
    };
    if (!(spec.flags & LEFT)) drain();
    sink.byte(argLow32(this.cursor.take()) & 0xff);
    drain();
  }

  private string(spec: KernelSpec): void {
    const arg = this.cursor.take();
    const ptr = argPointerValue(arg, this.host.ptrBits);
    if (ptr.magnitude < PAGE_SIZE) {
      kernelText(this.sink, '(null)', spec);
      return;
    }
    const addr = argAddress(arg, this.host.ptrBits);
    const bytes = this.host.readCString(addr, spec.precision >= 0 ? spec.precision : UNBOUNDED_STRING_BYTES);
    if (bytes === null) {
      this.noteFault(addr);
      kernelText(this.sink, EFAULT_TEXT, spec);
      return;
    }
    kernelString(this.sink, bytes, spec);
  }

  private storeCount(qualifier: number): void {
    const addr = argAddress(this.cursor.take(), this.host.ptrBits);
    const bits = qualifier === 0x6c ? this.host.longBits : lower(qualifier) === 0x7a ? this.host.ptrBits : 32;
    this.host.storeCount?.(addr, this.sink.count, bits);
  }

  private noteFault(addr: number | bigint): void {
    this.fault ??= { addr };
  }
}

export function formatKernel(fmt: Uint8Array, args: readonly PrintfArg[], host: PrintfHost): PrintfResult {
  return new KernelFormatter(fmt, args, host).run();
}
