// The printf-family formatting engine shared by the user libc (printf, fprintf, sprintf,
// snprintf, vprintf...) and the emulated kernel (printk, snprintf, scnprintf, vsnprintf).
// Two flavours, because kmemlab is checked byte for byte against both: 'libc' reproduces glibc
// (see libc.ts), 'kernel' reproduces Linux 3.7's lib/vsprintf.c (see kernel.ts).
//
// The caller owns buffer sizes: bytes is the complete output, so snprintf returns bytes.length
// and copies at most size-1 of them; scnprintf returns what it copied.

import type { PrintfArg } from './args';
import { formatKernel } from './kernel';
import { formatLibc } from './libc';
import type { PrintfFlavor, PrintfHost, PrintfResult } from './types';

export type { PrintfArg } from './args';
export type { PrintfFlavor, PrintfHost, PrintfResult, RoundingMode } from './types';

export function formatPrintf(format: Uint8Array, args: readonly PrintfArg[], host: PrintfHost, flavor: PrintfFlavor): PrintfResult {
  return flavor === 'kernel' ? formatKernel(format, args, host) : formatLibc(format, args, host);
}
