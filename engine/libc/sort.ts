/**
 * qsort and bsearch, calling the program's comparator as a C function.
 *
 * qsort is glibc 2.36's: a top-down merge sort (msort.c), so it is stable and calls the
 * comparator in the same order with the same pointers. Elements of at most 32 bytes are merged
 * in place: each merge writes its run back to the array before the next comparison, so the
 * comparator always finds the current contents where glibc's would. Larger elements are sorted
 * indirectly through an array of pointers, the comparator seeing their original places, and
 * moved once at the end. The temporary area is malloc'ed when it reaches 1024 bytes, as glibc
 * does (it uses the stack below that), so the heap sees the same allocation; the merging itself
 * uses host memory. glibc falls back to quicksort only when that malloc fails or the area would
 * exceed a quarter of physical memory; here the merge sort runs regardless.
 */
import type { Value } from '../exec/types';
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

const STACK_TEMP_LIMIT = 1024;
const INDIRECT_ABOVE = 32;

function* compare(cmp: number, a: number, b: number): Step<number> {
  const r = yield { kind: 'call', target: cmp, args: [a, b], viaName: 'comparator' };
  return typeof r === 'bigint' ? Number(BigInt.asIntN(32, r)) : (r as number) | 0;
}

/** msort_with_tmp over the index range [lo, lo+n) of `order`, comparing the addresses it holds. */
function* mergeSort(order: number[], lo: number, n: number, cmp: number, afterMerge: (lo: number, n: number) => Step<void>): Step<void> {
  if (n <= 1) return;
  const n1 = Math.floor(n / 2);
  const n2 = n - n1;
  yield* mergeSort(order, lo, n1, cmp, afterMerge);
  yield* mergeSort(order, lo + n1, n2, cmp, afterMerge);
  const merged: number[] = [];
  let i = lo;
  let j = lo + n1;
  let left = n1;
  let right = n2;
  while (left > 0 && right > 0) {
    if ((yield* compare(cmp, order[i], order[j])) <= 0) {
      merged.push(order[i++]);
      left--;
    } else {
      merged.push(order[j++]);
      right--;
    }
  }
  while (left-- > 0) merged.push(order[i++]);
  for (let k = 0; k < merged.length; k++) order[lo + k] = merged[k];
  yield* afterMerge(lo, merged.length);
}

function* qsort(p: LibcProcess, base: number, n: number, size: number, cmp: number): Step<void> {
  const indirect = size > INDIRECT_ABOVE;
  const tempBytes = indirect ? 2 * n * p.host.ptrBytes + size : n * size;
  let temp = 0;
  if (tempBytes >= STACK_TEMP_LIMIT) {
    const saved = yield* p.errno();
    temp = yield* p.heap.malloc(tempBytes);
    yield* p.setErrno(saved);
  }
  const original = n > 0 ? yield* p.mem.read(base, n * size) : new Uint8Array(0);
  // order[k]: the address of the element that belongs at position k.
  const order = Array.from({ length: n }, (_, k) => base + k * size);
  if (indirect) {
    yield* mergeSort(order, 0, n, cmp, function* () {});
    yield* p.mem.write(base, permuted(original, order, base, size));
  } else {
    // Direct: the array itself holds the runs, so positions are rewritten after every merge.
    const current = original.slice();
    const at = order.slice();
    yield* mergeSort(at, 0, n, cmp, function* (lo, len) {
      const run = new Uint8Array(len * size);
      for (let k = 0; k < len; k++) run.set(current.subarray(at[lo + k] - base, at[lo + k] - base + size), k * size);
      current.set(run, lo * size);
      for (let k = 0; k < len; k++) at[lo + k] = base + (lo + k) * size;
      yield* p.mem.write(base + lo * size, run);
    });
  }
  if (temp !== 0) yield* p.heap.free(temp);
}

function permuted(original: Uint8Array, order: number[], base: number, size: number): Uint8Array {
  const out = new Uint8Array(original.length);
  order.forEach((va, k) => out.set(original.subarray(va - base, va - base + size), k * size));
  return out;
}

function* bsearch(key: number, base: number, n: number, size: number, cmp: number): Step<number> {
  let l = 0;
  let u = n;
  while (l < u) {
    const idx = Math.floor((l + u) / 2);
    const at = base + idx * size;
    const c = yield* compare(cmp, key, at);
    if (c < 0) u = idx;
    else if (c > 0) l = idx + 1;
    else return at;
  }
  return 0;
}

export function defineSort(def: DefineRoutine): void {
  def('qsort(base, nmemb, size, compar)', function* (p, a: Value[]) {
    yield* qsort(p, toAddress(a[0]), p.abi.size(a[1]), p.abi.size(a[2]), toAddress(a[3]));
    return undefined;
  });
  def('bsearch(key, base, nmemb, size, compar)', (p, a) =>
    bsearch(toAddress(a[0]), toAddress(a[1]), p.abi.size(a[2]), p.abi.size(a[3]), toAddress(a[4])));
}
