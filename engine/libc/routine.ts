/**
 * How each part of libc declares its routines: a C name, parameter names for the debugger's view
 * of the frame, and an implementation that gets the calling process. An implementation that
 * touches user memory or the kernel returns a generator (see usermem.ts); one that does not may
 * return its value directly.
 */
import type { NativeContext, NativeGen, NativeRoutine, Value } from '../exec/types';
import type { LibcProcess } from './process';

export type LibcImpl = (p: LibcProcess, args: Value[], ctx: NativeContext) => Value | undefined | NativeGen;

/**
 * Declares a routine by its prototype-like signature, e.g. `memcpy(dest, src, n)`; returns it,
 * for a routine whose address others need (a trampoline).
 */
export type DefineRoutine = (sig: string, impl: LibcImpl) => NativeRoutine;

/** Splits "name(a, b, c)" into the C name and parameter names, so tables read like prototypes. */
export function signature(text: string): { name: string; params: string[] } {
  const open = text.indexOf('(');
  if (open < 0) return { name: text, params: [] };
  const inner = text.slice(open + 1, text.lastIndexOf(')')).trim();
  return { name: text.slice(0, open), params: inner === '' ? [] : inner.split(',').map((s) => s.trim()) };
}
