/**
 * The malloc family's C interface over the allocator in malloc.ts: argument checks, errno, and
 * glibc's return conventions (realloc(p, 0) frees and returns NULL; posix_memalign returns the
 * error instead of setting errno and leaves errno alone).
 */
import { EINVAL, ENOMEM } from './errno';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

function* orNoMemory(p: LibcProcess, va: number): Step<number> {
  if (va === 0) yield* p.setErrno(ENOMEM);
  return va;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

export function defineAlloc(def: DefineRoutine): void {
  def('malloc(size)', function* (p, a) {
    return yield* orNoMemory(p, yield* p.heap.malloc(p.abi.size(a[0])));
  });
  def('calloc(nmemb, size)', function* (p, a) {
    const n = p.abi.size(a[0]);
    const size = p.abi.size(a[1]);
    const bytes = n * size;
    if (bytes >= 2 ** (8 * p.host.ptrBytes)) {
      yield* p.setErrno(ENOMEM);
      return 0;
    }
    return yield* orNoMemory(p, yield* p.heap.calloc(bytes));
  });
  def('realloc(ptr, size)', function* (p, a) {
    const ptr = toAddress(a[0]);
    const size = p.abi.size(a[1]);
    const r = yield* p.heap.realloc(ptr, size);
    if (r === 0 && !(ptr !== 0 && size === 0)) yield* p.setErrno(ENOMEM);
    return r;
  });
  def('free(ptr)', function* (p, a) {
    yield* p.heap.free(toAddress(a[0]));
    return undefined;
  });
  def('posix_memalign(memptr, alignment, size)', function* (p, a) {
    const alignment = p.abi.size(a[1]);
    if (alignment % p.host.ptrBytes !== 0 || !isPowerOfTwo(alignment / p.host.ptrBytes)) return EINVAL;
    const saved = yield* p.errno();
    const va = yield* p.heap.memalign(alignment, p.abi.size(a[2]));
    yield* p.setErrno(saved);
    if (va === 0) return ENOMEM;
    yield* p.mem.wword(toAddress(a[0]), va);
    return 0;
  });
  def('aligned_alloc(alignment, size)', function* (p, a) {
    return yield* orNoMemory(p, yield* p.heap.memalign(p.abi.size(a[0]), p.abi.size(a[1])));
  });
  def('memalign(alignment, size)', function* (p, a) {
    return yield* orNoMemory(p, yield* p.heap.memalign(p.abi.size(a[0]), p.abi.size(a[1])));
  });
  def('valloc(size)', function* (p, a) {
    return yield* orNoMemory(p, yield* p.heap.memalign(4096, p.abi.size(a[0])));
  });
  def('malloc_usable_size(ptr)', function* (p, a) {
    return p.abi.retWord(yield* p.heap.usableSize(toAddress(a[0])));
  });
}
