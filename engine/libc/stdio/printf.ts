/**
 * The printf family over the shared glibc-flavoured engine (engine/format). The format and every
 * %s string are read from user memory; a fault there is handed to the kernel and the whole
 * conversion runs again once it is fixed (formatting has no side effects: %n stores are collected
 * and made only after the text is complete). A va_list is a pointer to 8-byte slots, read lazily
 * as conversions consume them: a slot holding a double is handed over as its raw bits, which the
 * engine reads back as the double for %f and friends.
 */
import { MODE_USER, Trap } from '../../machine/cpu';
import type { NativeContext, Value } from '../../exec/types';
import { formatPrintf, type PrintfArg, type PrintfHost, type PrintfResult } from '../../format/printf';
import { EILSEQ, EINVAL, EOVERFLOW, errorText } from '../errno';
import type { LibcProcess } from '../process';
import type { DefineRoutine } from '../routine';
import { toAddress, type Step } from '../usermem';
import type { Stream } from './streams';

const VA_SLOT_BYTES = 8;
const ERRNO_OF: Record<NonNullable<PrintfResult['error']>, number> = { EINVAL, EILSEQ, EOVERFLOW };

/** Where the arguments of one call come from. */
type ArgSource = { kind: 'direct'; args: readonly PrintfArg[] } | { kind: 'va_list'; va: number };

export function directArgs(args: Value[], from: number, ctx: NativeContext): ArgSource {
  const out: PrintfArg[] = [];
  for (let i = from; i < args.length; i++) {
    const v = args[i];
    out.push({ value: v instanceof Uint8Array ? 0 : v, isDouble: ctx.argIsDouble?.[i] === true });
  }
  return { kind: 'direct', args: out };
}

export function vaListArgs(ap: Value): ArgSource {
  return { kind: 'va_list', va: toAddress(ap) };
}

/** A read-only array view over va_list slots that records the first fault instead of throwing. */
function vaListView(p: LibcProcess, va: number, onFault: (t: Trap) => void): readonly PrintfArg[] {
  const cache: PrintfArg[] = [];
  return new Proxy(cache, {
    get(target, prop) {
      if (typeof prop !== 'string' || !/^\d+$/.test(prop)) return Reflect.get(target, prop);
      const i = Number(prop);
      if (target[i] === undefined) {
        try {
          target[i] = { value: p.host.cpu.r64(va + i * VA_SLOT_BYTES, MODE_USER) };
        } catch (e) {
          if (!(e instanceof Trap)) throw e;
          onFault(e);
          return { value: 0 };
        }
      }
      return target[i];
    },
  });
}

/**
 * Formats with the arguments of `src`. Returns the engine's result after every fault it met has
 * been fixed and its %n stores are done.
 */
export function* formatFromUser(p: LibcProcess, fmtVa: number, src: ArgSource): Step<PrintfResult> {
  const fmt = yield* p.mem.cstring(fmtVa);
  const errno = yield* p.errno();
  const cpu = p.host.cpu;
  for (;;) {
    let trap: Trap | undefined;
    const onFault = (t: Trap) => {
      trap ??= t;
    };
    const stores: { va: number; count: number; bytes: 1 | 2 | 4 | 8 }[] = [];
    const host: PrintfHost = {
      longBits: p.host.longBytes === 8 ? 64 : 32,
      ptrBits: p.host.ptrBytes === 8 ? 64 : 32,
      readCString(addr, maxBytes) {
        try {
          return p.mem.cstringNow(toAddress(addr), maxBytes);
        } catch (e) {
          if (!(e instanceof Trap)) throw e;
          onFault(e);
          return null;
        }
      },
      readBytes(addr, n) {
        try {
          return cpu.readBytes(toAddress(addr), n, MODE_USER);
        } catch (e) {
          if (!(e instanceof Trap)) throw e;
          onFault(e);
          return null;
        }
      },
      storeCount(addr, count, bits) {
        stores.push({ va: toAddress(addr), count, bytes: (bits / 8) as 1 | 2 | 4 | 8 });
      },
      errnoText: () => errorText(errno),
    };
    const args = src.kind === 'direct' ? src.args : vaListView(p, src.va, onFault);
    const r = formatPrintf(fmt, args, host, 'libc');
    if (trap !== undefined) {
      yield { kind: 'trap', trap };
      continue;
    }
    for (const s of stores) yield* p.mem.wint(s.va, s.count, s.bytes);
    return r;
  }
}

/** printf's return value: the byte count, or -1 with errno for a format glibc rejects. */
function* resultValue(p: LibcProcess, r: PrintfResult, written = true): Step<number> {
  if (r.error !== undefined) {
    yield* p.setErrno(ERRNO_OF[r.error]);
    return -1;
  }
  return written ? r.bytes.length : -1;
}

function* toStream(p: LibcProcess, s: Stream | undefined, fmtVa: number, src: ArgSource): Step<number> {
  if (s === undefined) return -1;
  const r = yield* formatFromUser(p, fmtVa, src);
  const ok = yield* p.stdio.putBytes(s, r.bytes);
  return yield* resultValue(p, r, ok);
}

function* toFd(p: LibcProcess, fd: number, fmtVa: number, src: ArgSource): Step<number> {
  const r = yield* formatFromUser(p, fmtVa, src);
  const n = yield* p.writeFd(fd, r.bytes);
  return yield* resultValue(p, r, n === r.bytes.length);
}

/** sprintf/snprintf: at most size-1 bytes and a NUL (size undefined: no limit). */
function* toMemory(p: LibcProcess, dst: number, size: number | undefined, fmtVa: number, src: ArgSource): Step<number> {
  const r = yield* formatFromUser(p, fmtVa, src);
  if (size === undefined) yield* p.mem.writeCString(dst, r.bytes);
  else if (size > 0) yield* p.mem.writeCString(dst, r.bytes.subarray(0, Math.min(r.bytes.length, size - 1)));
  return yield* resultValue(p, r);
}

export function definePrintf(def: DefineRoutine): void {
  def('printf(format, ...)', function* (p, a, ctx) {
    return yield* toStream(p, yield* p.stdio.standard(1), toAddress(a[0]), directArgs(a, 1, ctx));
  });
  def('vprintf(format, ap)', function* (p, a) {
    return yield* toStream(p, yield* p.stdio.standard(1), toAddress(a[0]), vaListArgs(a[1]));
  });
  def('fprintf(stream, format, ...)', function* (p, a, ctx) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    return yield* toStream(p, s, toAddress(a[1]), directArgs(a, 2, ctx));
  });
  def('vfprintf(stream, format, ap)', function* (p, a) {
    const s = yield* p.stdio.lookup(toAddress(a[0]));
    return yield* toStream(p, s, toAddress(a[1]), vaListArgs(a[2]));
  });
  def('dprintf(fd, format, ...)', (p, a, ctx) => toFd(p, p.abi.int(a[0]), toAddress(a[1]), directArgs(a, 2, ctx)));
  def('vdprintf(fd, format, ap)', (p, a) => toFd(p, p.abi.int(a[0]), toAddress(a[1]), vaListArgs(a[2])));
  def('sprintf(str, format, ...)', (p, a, ctx) => toMemory(p, toAddress(a[0]), undefined, toAddress(a[1]), directArgs(a, 2, ctx)));
  def('vsprintf(str, format, ap)', (p, a) => toMemory(p, toAddress(a[0]), undefined, toAddress(a[1]), vaListArgs(a[2])));
  def('snprintf(str, size, format, ...)', (p, a, ctx) => toMemory(p, toAddress(a[0]), p.abi.size(a[1]), toAddress(a[2]), directArgs(a, 3, ctx)));
  def('vsnprintf(str, size, format, ap)', (p, a) => toMemory(p, toAddress(a[0]), p.abi.size(a[1]), toAddress(a[2]), vaListArgs(a[3])));
}
