// Linux 3.7's pointer(): "%p" followed by alphanumeric extension letters. Implemented: S s F f B
// (kallsyms through host.lookupSymbol), h[CDN] hex dumps, M m [F R] MAC addresses, I4 i4 [hnbl],
// I6 i6 I6c, U[bBlL], NF, K (kptr_restrict = 0, so the plain pointer), and a [pd] from later
// kernels (3.9+, not in 3.7, whose %pa printed the pointer itself; kmemlab follows the newer
// meaning because drivers written today use it). Everything else, including R r V d D and later
// kernels' x, prints the pointer as hex the way 3.7's fallthrough does; the caller skips the
// extension letters.

import { addressPlus, argAddress, argPointerValue, isZeroInt, type IntValue, type PrintfArg } from './args';
import { kernelNumber, kernelText, SMALL, SPECIAL, ZEROPAD, type KernelSpec } from './kernel-number';
import type { ByteSink } from './sink';
import type { PrintfHost } from './types';

/** ZERO_OR_NULL_PTR(): kmalloc(0) hands out 16, so hex_string treats 1..16 like NULL. */
const ZERO_SIZE_PTR = 16;
const HEX_DUMP_MAX_BYTES = 64;
/** What kernels since 4.x print for an unreadable pointer; 3.7 itself would oops. */
export const EFAULT_TEXT = '(efault)';

export interface KernelPointerContext {
  sink: ByteSink;
  host: PrintfHost;
  /** Records the first unreadable address (the caller reports it as PrintfResult.fault). */
  noteFault(addr: number | bigint): void;
}

const hexDigits = '0123456789abcdef';

function hexByte(b: number): string {
  return hexDigits[b >> 4] + hexDigits[b & 15];
}

/** ext[i] as a character, '' past the end: the extension letters after "p". */
function extChar(ext: Uint8Array, i: number): string {
  return i < ext.length && ext[i] !== 0 ? String.fromCharCode(ext[i]) : '';
}

export function kernelPointer(ctx: KernelPointerContext, ext: Uint8Array, arg: PrintfArg, spec: KernelSpec): void {
  const { host, sink } = ctx;
  const ptrBytes = host.ptrBits / 8;
  const ptr = argPointerValue(arg, host.ptrBits);
  const addr = argAddress(arg, host.ptrBits);
  const kind = extChar(ext, 0);
  const defaultWidth = 2 * ptrBytes + (spec.flags & SPECIAL ? 2 : 0);

  if (isZeroInt(ptr) && kind !== 'K') {
    // "(null)" as wide as a pointer so tables of pointers stay aligned.
    kernelText(sink, '(null)', { ...spec, fieldWidth: spec.fieldWidth === -1 ? defaultWidth : spec.fieldWidth });
    return;
  }

  const read = (at: number | bigint, n: number): Uint8Array | null => {
    const bytes = host.readBytes(at, n);
    if (bytes === null || bytes.length < n) {
      ctx.noteFault(at);
      kernelText(sink, EFAULT_TEXT, spec);
      return null;
    }
    return bytes;
  };

  switch (kind) {
    case 'F':
    case 'f':
    case 'S':
    case 's':
    case 'B':
      kernelText(sink, symbolText(host, addr, ptr, kind), spec);
      return;
    case 'h':
      hexString(ctx, ext, addr, ptr, spec, read);
      return;
    case 'M':
    case 'm': {
      const mac = read(addr, 6);
      if (mac) kernelText(sink, macText(mac, kind, extChar(ext, 1)), spec);
      return;
    }
    case 'I':
    case 'i': {
      const family = extChar(ext, 1);
      if (family === '4') {
        const ip = read(addr, 4);
        if (ip) kernelText(sink, ip4Text(ip, kind === 'i', extChar(ext, 2)), spec);
        return;
      }
      if (family === '6') {
        const ip = read(addr, 16);
        if (ip) kernelText(sink, kind === 'I' && extChar(ext, 2) === 'c' ? ip6CompressedText(ip) : ip6Text(ip, kind === 'I'), spec);
        return;
      }
      break;
    }
    case 'U': {
      const uuid = read(addr, 16);
      if (uuid) kernelText(sink, uuidText(uuid, extChar(ext, 1)), spec);
      return;
    }
    case 'N':
      if (extChar(ext, 1) === 'F') {
        const features = read(addr, 8);
        if (features) {
          const width = spec.fieldWidth === -1 ? 18 : spec.fieldWidth;
          kernelNumber(sink, littleEndian(features), { ...spec, flags: spec.flags | SPECIAL | SMALL | ZEROPAD, base: 16, fieldWidth: width });
        }
        return;
      }
      break;
    case 'a': {
      const bits = host.physAddrBits ?? host.ptrBits;
      const value = read(addr, bits / 8);
      if (value) {
        kernelNumber(sink, littleEndian(value), {
          ...spec,
          flags: spec.flags | SPECIAL | SMALL | ZEROPAD,
          base: 16,
          fieldWidth: 2 + bits / 4,
        });
      }
      return;
    }
  }

  // The plain pointer: zero-padded to its full width only when no width was given.
  const plain: KernelSpec = { ...spec, flags: spec.flags | SMALL, base: 16 };
  if (spec.fieldWidth === -1) {
    plain.fieldWidth = defaultWidth;
    plain.flags |= ZEROPAD;
  }
  kernelNumber(sink, ptr, plain);
}

function littleEndian(bytes: Uint8Array): IntValue {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return { negative: false, magnitude: v };
}

/** sprint_symbol / sprint_symbol_no_offset / sprint_backtrace of kernel/kallsyms.c. */
function symbolText(host: PrintfHost, addr: number | bigint, ptr: IntValue, kind: string): string {
  // %pB looks up address-1 (a return address after a noreturn call belongs to the caller).
  const lookupAddr = kind === 'B' ? addressPlus(addr, -1, host.ptrBits) : addr;
  const sym = host.lookupSymbol?.(lookupAddr);
  if (!sym) {
    const shown = kind === 'B' ? argPointerValue({ value: lookupAddr }, host.ptrBits) : ptr;
    return '0x' + shown.magnitude.toString(16);
  }
  let text = sym.name;
  if (kind !== 's' && kind !== 'f') {
    const offset = kind === 'B' ? sym.offset + 1 : sym.offset;
    text += '+0x' + offset.toString(16) + '/0x' + sym.sizeBytes.toString(16);
  }
  if (sym.module) text += ' [' + sym.module + ']';
  return text;
}

/** hex_string(): %*ph[CDN], at most 64 bytes, the width is the byte count. */
function hexString(
  ctx: KernelPointerContext,
  ext: Uint8Array,
  addr: number | bigint,
  ptr: IntValue,
  spec: KernelSpec,
  read: (at: number | bigint, n: number) => Uint8Array | null,
): void {
  if (spec.fieldWidth === 0) return;
  if (ptr.magnitude <= ZERO_SIZE_PTR) {
    kernelText(ctx.sink, '(null)', spec);
    return;
  }
  const variant = extChar(ext, 1);
  const separator = variant === 'C' ? ':' : variant === 'D' ? '-' : variant === 'N' ? '' : ' ';
  const len = spec.fieldWidth > 0 ? Math.min(spec.fieldWidth, HEX_DUMP_MAX_BYTES) : 1;
  const bytes = read(addr, len);
  if (!bytes) return;
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(hexByte(bytes[i]));
  ctx.sink.ascii(parts.join(separator));
}

function macText(mac: Uint8Array, kind: string, variant: string): string {
  const separator = kind === 'M' ? (variant === 'F' ? '-' : ':') : '';
  const order = variant === 'R' ? [5, 4, 3, 2, 1, 0] : [0, 1, 2, 3, 4, 5];
  return order.map((i) => hexByte(mac[i])).join(separator);
}

/** ip4_string(): 'i' keeps leading zeros; h (host = little endian on x86) and l reverse the bytes. */
function ip4Text(ip: Uint8Array, leadingZeros: boolean, order: string): string {
  const reversed = order === 'h' || order === 'l';
  const quads: string[] = [];
  for (let i = 0; i < 4; i++) {
    const text = String(ip[reversed ? 3 - i : i]);
    quads.push(leadingZeros ? text.padStart(3, '0') : text);
  }
  return quads.join('.');
}

function ip6Text(ip: Uint8Array, colons: boolean): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(hexByte(ip[i]) + hexByte(ip[i + 1]));
  return words.join(colons ? ':' : '');
}

/** ip6_compressed_string(): RFC 5952 with 3.7's rules (v4-mapped and ISATAP end in dotted quad). */
function ip6CompressedText(ip: Uint8Array): string {
  const word = (i: number): number => (ip[2 * i] << 8) | ip[2 * i + 1];
  const v4Mapped = word(0) === 0 && word(1) === 0 && word(2) === 0 && word(3) === 0 && word(4) === 0 && word(5) === 0xffff;
  const isatap = (word(4) | 0x0200) === 0x0200 && word(5) === 0x5efe;
  const useIPv4 = v4Mapped || isatap;
  const range = useIPv4 ? 6 : 8;

  let longest = 1;
  let colonPos = -1;
  for (let i = 0; i < range; i++) {
    let run = 0;
    for (let j = i; j < range && word(j) === 0; j++) run++;
    if (run > longest) {
      longest = run;
      colonPos = i;
    }
  }

  let text = '';
  let needColon = false;
  for (let i = 0; i < range; i++) {
    if (i === colonPos) {
      if (needColon || i === 0) text += ':';
      text += ':';
      needColon = false;
      i += longest - 1;
      continue;
    }
    if (needColon) text += ':';
    text += word(i).toString(16);
    needColon = true;
  }
  if (useIPv4) {
    if (needColon) text += ':';
    text += ip4Text(ip.subarray(12), false, '');
  }
  return text;
}

function uuidText(uuid: Uint8Array, variant: string): string {
  const littleEndianOrder = variant === 'l' || variant === 'L';
  const order = littleEndianOrder ? [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] : [...Array(16).keys()];
  let text = '';
  order.forEach((index, i) => {
    text += hexByte(uuid[index]);
    if (i === 3 || i === 5 || i === 7 || i === 9) text += '-';
  });
  return variant === 'B' || variant === 'L' ? text.toUpperCase() : text;
}
