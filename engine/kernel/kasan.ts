/**
 * KASAN for the emulated kernel. 3.7 had none; the checks and the report follow the 4.x
 * generic KASAN, so what a learner reads here is what a later kernel would print.
 *
 * Shadow memory: one byte per 8-byte granule of a frame — 0 all valid, 1..7 only the first N
 * bytes valid, larger values say why the granule is poisoned (slack past kmalloc's request,
 * a never-allocated or freed object, the tail of a large kmalloc or of a vmalloc area). It is kept
 * here, per frame, not in emulated memory. A frame with any poisoned granule carries
 * WATCH_POISON, so only kernel-mode accesses to such frames leave the TLB's fast path and come
 * through `checkAccess`; every other access costs what it did before.
 *
 * A bad access made by a driver's C statement is thrown out of the op (KasanFault), so the report
 * knows the exact statement; the handler prints it and lets the op run again, unchecked once —
 * KASAN reports and carries on. A bad access made inside a kernel routine (memcpy, copy_to_user,
 * printk's %s...) is reported on the spot. Each kind of bug is reported once per site.
 */
import type { TrapSite } from '../exec/executor';
import type { Thread } from '../exec/thread';
import type { Callable, NativeContext, NativeRoutine, Value } from '../exec/types';
import { PAGE_SIZE, WATCH_POISON } from '../machine/physmem';
import { MODE_KERNEL } from '../machine/tlb';
import type { I64 } from '../util/int64';
import type { SourceLoc } from '../util/loc';
import type { Kernel } from './kernel';

/** Bytes per shadow byte. */
export const KASAN_GRANULE_BYTES = 8;
const GRANULES_PER_PAGE = PAGE_SIZE / KASAN_GRANULE_BYTES;

// Shadow values for poisoned granules (mm/kasan/kasan.h).
export const KASAN_FREE_PAGE = 0xff;
export const KASAN_PAGE_REDZONE = 0xfe;
export const KASAN_KMALLOC_REDZONE = 0xfc;
export const KASAN_KMALLOC_FREE = 0xfb;
export const KASAN_VMALLOC_INVALID = 0xf8;

const RULE = '==================================================================';

/** One frame of a saved call chain: a function and the op in it (-1 for a kernel routine). */
export interface SavedFrame {
  fn: Callable;
  pc: number;
}

/** Who did something, when, and through which calls (innermost first). */
export interface SavedStack {
  pid: number;
  comm: string;
  jiffies: I64;
  ns: number;
  frames: SavedFrame[];
}

/** What KASAN remembers of a kmalloc object or a large (page allocator) kmalloc. */
interface ObjectRecord {
  /** The bytes the caller may use (kmalloc's request, a cache's object size, all after ksize). */
  requestedBytes: number;
  /** The bytes the object occupies: the cache's object size, or the whole page block. */
  sizeBytes: number;
  alloc: SavedStack;
  free: SavedStack | undefined;
}

interface SlabInfo {
  cacheName: string;
  objSize: number;
  objectCount: number;
  baseVa: number;
}

interface VmallocRecord {
  start: number;
  mappedBytes: number;
  requestedBytes: number;
  pfns: number[];
  alloc: SavedStack;
  free: SavedStack | undefined;
}

class FrameShadow {
  readonly granules = new Uint8Array(GRANULES_PER_PAGE);
  /** Granules whose shadow is not 0. */
  poisoned = 0;
}

/** Thrown out of a C op that touched poisoned memory; the kernel's handler reports it. */
export class KasanFault extends Error {
  constructor(
    readonly accessVa: number,
    readonly badVa: number,
    readonly sizeBytes: number,
    readonly write: boolean,
    readonly shadow: number,
  ) {
    super(`KASAN: bad ${write ? 'write' : 'read'} of ${sizeBytes} bytes`);
    this.name = 'KasanFault';
  }
}

/** Freed vmalloc records kept for reports (double vfree, faults in a vfree'd area). */
const FREED_VMALLOC_KEPT = 64;

function roundUpToGranule(n: number): number {
  return Math.ceil(n / KASAN_GRANULE_BYTES) * KASAN_GRANULE_BYTES;
}

/** Byte offset (within the frame) of the first invalid byte of [off, off+n), or -1. */
function firstBadByte(g: Uint8Array, off: number, n: number): number {
  const end = off + n;
  for (let at = off; at < end; ) {
    const v = g[at >> 3];
    if (v === 0) at = (at | 7) + 1;
    else if (v < KASAN_GRANULE_BYTES && (at & 7) < v) at++;
    else return at;
  }
  return -1;
}

/** The last byte of [off, off + n) that is not accessible, or -1. */
function lastBadByte(g: Uint8Array, off: number, n: number): number {
  for (let at = off + n - 1; at >= off; at--) {
    const v = g[at >> 3];
    if (v !== 0 && !(v < KASAN_GRANULE_BYTES && (at & 7) < v)) return at;
  }
  return -1;
}

/** The bug type KASAN names after the shadow value of the first bad byte. */
export function bugKind(shadow: number): string {
  switch (shadow) {
    case KASAN_KMALLOC_FREE:
    case KASAN_FREE_PAGE:
      return 'use-after-free';
    case KASAN_KMALLOC_REDZONE:
      return 'slab-out-of-bounds';
    case KASAN_VMALLOC_INVALID:
      return 'vmalloc-out-of-bounds';
    default:
      return 'out-of-bounds';
  }
}

export class Kasan {
  /** Shadow by pfn, for the frames that have poison (an array: the check looks it up per access). */
  private readonly shadow: (FrameShadow | undefined)[] = [];
  private readonly slabs = new Map<number, SlabInfo>();
  /** Frames of large kmallocs → the block's address. */
  private readonly largeFrames = new Map<number, number>();
  private readonly objects = new Map<number, ObjectRecord>();
  private vmallocs: VmallocRecord[] = [];
  /** Kernel routines running synchronously right now (they have no frame of their own). */
  private readonly nativeRoutines: NativeRoutine[] = [];
  private readonly nativeThreads: Thread[] = [];
  private readonly nativeCallerLocs: (SourceLoc | undefined)[] = [];
  private pending: { fault: KasanFault; pc: number | undefined } | undefined;
  /** The op that is re-run after a report: its accesses pass once. */
  private mute: { thread: Thread; steps: number } | undefined;
  private readonly reportedSites = new Set<string>();
  /** Every report printed, whole, in order. */
  readonly reports: string[] = [];
  private readonly reportRoutine: NativeRoutine;

  constructor(private readonly k: Kernel) {
    // A handler with no kernel text of its own: it never shows in a call trace.
    this.reportRoutine = { kind: 'native', name: 'kasan_report', address: 0, paramNames: [], mode: MODE_KERNEL, impl: () => this.reportPending() };
  }

  // ---- shadow memory ---------------------------------------------------------------------------

  /** Sets granules [from, to) of a frame to `value`, keeping the frame's watch bit in step. */
  private paintFrame(pfn: number, from: number, to: number, value: number): void {
    let s = this.shadow[pfn];
    if (s === undefined) {
      if (value === 0) return;
      s = new FrameShadow();
      this.shadow[pfn] = s;
    }
    const g = s.granules;
    let n = s.poisoned;
    for (let i = from; i < to; i++) {
      const old = g[i];
      if (old === value) continue;
      if (old === 0) n++;
      else if (value === 0) n--;
      g[i] = value;
    }
    const was = s.poisoned;
    s.poisoned = n;
    if (was === 0 && n > 0) this.k.cpu.setWatch(pfn, WATCH_POISON, true);
    else if (n === 0) {
      if (was > 0) this.k.cpu.setWatch(pfn, WATCH_POISON, false);
      this.shadow[pfn] = undefined;
    }
  }

  /** Paints whole granules over [pa, pa + sizeBytes); pa is granule-aligned. */
  private paint(pa: number, sizeBytes: number, value: number): void {
    let at = pa;
    const end = pa + roundUpToGranule(sizeBytes);
    while (at < end) {
      const pfn = Math.floor(at / PAGE_SIZE);
      const stop = Math.min(end, (pfn + 1) * PAGE_SIZE);
      const from = (at & 4095) / KASAN_GRANULE_BYTES;
      this.paintFrame(pfn, from, from + (stop - at) / KASAN_GRANULE_BYTES, value);
      at = stop;
    }
  }

  /** kasan_unpoison_shadow: the first sizeBytes become valid, the last granule partly. */
  private unpoison(pa: number, sizeBytes: number): void {
    const whole = sizeBytes - (sizeBytes % KASAN_GRANULE_BYTES);
    this.paint(pa, whole, 0);
    if (whole !== sizeBytes) this.paint(pa + whole, KASAN_GRANULE_BYTES, sizeBytes - whole);
  }

  /** Valid bytes [pa, pa+usedBytes), poisoned with `code` up to pa+totalBytes. */
  private markUsed(pa: number, usedBytes: number, totalBytes: number, code: number): void {
    const used = roundUpToGranule(usedBytes);
    if (totalBytes > used) this.paint(pa + used, totalBytes - used, code);
    this.unpoison(pa, usedBytes);
  }

  private directPa(va: number): number {
    const pa = this.k.directMapPa(va);
    if (pa === undefined) throw new Error(`KASAN: ${va} is not in the direct map`);
    return pa;
  }

  /** The shadow value of the granule holding `va` (0 when nothing is poisoned there). */
  private shadowAt(va: number): number | undefined {
    const pa = this.k.km.pa(va);
    if (pa === undefined) return undefined;
    return this.shadow[Math.floor(pa / PAGE_SIZE)]?.granules[(pa & 4095) >> 3] ?? 0;
  }

  // ---- what the allocators tell KASAN -----------------------------------------------------------

  /** The page allocator handed out a block: whatever poison it carried from a past life goes. */
  pagesAllocated(pfn: number, pageCount: number): void {
    for (let p = pfn; p < pfn + pageCount; p++) {
      if (this.shadow[p] !== undefined) this.paintFrame(p, 0, GRANULES_PER_PAGE, 0);
      const head = this.largeFrames.get(p);
      if (head !== undefined) {
        this.objects.delete(head);
        this.largeFrames.delete(p);
      }
    }
  }

  /** A new slab: every object in it is poisoned until it is allocated (kasan_poison_slab). */
  slabGrown(pfn: number, order: number, cacheName: string, objSize: number, objectCount: number): void {
    const baseVa = this.k.directMapVa(pfn * PAGE_SIZE);
    const info: SlabInfo = { cacheName, objSize, objectCount, baseVa };
    for (let i = 0; i < 1 << order; i++) this.slabs.set(pfn + i, info);
    for (let i = 0; i < objectCount; i++) this.objects.delete(baseVa + i * objSize);
    this.paint(pfn * PAGE_SIZE, PAGE_SIZE << order, KASAN_KMALLOC_REDZONE);
  }

  /** An object left a cache's freelist: its requested bytes are valid, its slack is not. */
  objectAllocated(va: number, requestedBytes: number, objSize: number): void {
    this.markUsed(this.directPa(va), requestedBytes, objSize, KASAN_KMALLOC_REDZONE);
    this.objects.set(va, { requestedBytes, sizeBytes: objSize, alloc: this.saveStack(), free: undefined });
  }

  /** kmalloc over two pages: the page block, valid up to the request (kasan_kmalloc_large). */
  largeAllocated(va: number, order: number, requestedBytes: number): void {
    const pa = this.directPa(va);
    const sizeBytes = PAGE_SIZE << order;
    this.markUsed(pa, requestedBytes, sizeBytes, KASAN_PAGE_REDZONE);
    for (let i = 0; i < 1 << order; i++) this.largeFrames.set(Math.floor(pa / PAGE_SIZE) + i, va);
    this.objects.set(va, { requestedBytes, sizeBytes, alloc: this.saveStack(), free: undefined });
  }

  /** kfree of a live object (slab or large): all of it is poisoned as freed. */
  objectFreed(va: number): void {
    const rec = this.objects.get(va);
    if (!rec) return;
    rec.free = this.saveStack();
    const pa = this.directPa(va);
    const large = this.largeFrames.get(Math.floor(pa / PAGE_SIZE)) === va;
    this.paint(pa, rec.sizeBytes, large ? KASAN_FREE_PAGE : KASAN_KMALLOC_FREE);
  }

  /** ksize(): callers may use the whole object from now on. */
  wholeObjectUsable(va: number): void {
    const rec = this.objects.get(va);
    if (!rec || rec.free) return;
    rec.requestedBytes = rec.sizeBytes;
    this.unpoison(this.directPa(va), rec.sizeBytes);
  }

  /** A vmalloc area: valid up to the request; the rest of its last page is poisoned. */
  vmallocAllocated(start: number, requestedBytes: number, pfns: number[]): void {
    const mappedBytes = pfns.length * PAGE_SIZE;
    const usedInLast = requestedBytes - (mappedBytes - PAGE_SIZE);
    if (usedInLast < PAGE_SIZE) this.markUsed(pfns[pfns.length - 1] * PAGE_SIZE, usedInLast, PAGE_SIZE, KASAN_VMALLOC_INVALID);
    const end = start + mappedBytes + PAGE_SIZE;
    this.vmallocs = this.vmallocs.filter((r) => r.start + r.mappedBytes + PAGE_SIZE <= start || r.start >= end);
    this.vmallocs.push({ start, mappedBytes, requestedBytes, pfns, alloc: this.saveStack(), free: undefined });
  }

  /** vfree: the pages go back to the allocator unpoisoned; the record stays for reports. */
  vmallocFreed(start: number): void {
    const rec = this.vmallocs.find((r) => r.start === start && !r.free);
    if (!rec) return;
    rec.free = this.saveStack();
    for (const pfn of rec.pfns) if (this.shadow[pfn] !== undefined) this.paintFrame(pfn, 0, GRANULES_PER_PAGE, 0);
    const freed = this.vmallocs.filter((r) => r.free);
    if (freed.length > FREED_VMALLOC_KEPT) this.vmallocs.splice(this.vmallocs.indexOf(freed[0]), 1);
  }

  /** The allocation of a kmalloc object or vmalloc area still live at `va`, for kmemleak. */
  allocationOf(va: number): SavedStack | undefined {
    const o = this.objects.get(va);
    if (o && !o.free) return o.alloc;
    return this.vmallocs.find((r) => r.start === va && !r.free)?.alloc;
  }

  /** The size a vmalloc caller asked for (kmemleak reports that, not the pages). */
  vmallocRequestedBytes(start: number): number | undefined {
    return this.vmallocs.find((r) => r.start === start && !r.free)?.requestedBytes;
  }

  // ---- call chains ------------------------------------------------------------------------------

  /**
   * Lets checks know which kernel routine is running synchronously and where its C caller is:
   * such a routine has no frame, and the C frame below it has not recorded its pc.
   */
  watchRoutines(routines: Iterable<NativeRoutine>): void {
    for (const r of routines) {
      const impl = r.impl;
      r.impl = (ctx: NativeContext, args: Value[]) => {
        this.nativeRoutines.push(r);
        this.nativeThreads.push(ctx.thread);
        this.nativeCallerLocs.push(ctx.callerLoc);
        try {
          return impl(ctx, args);
        } finally {
          this.nativeRoutines.pop();
          this.nativeThreads.pop();
          this.nativeCallerLocs.pop();
        }
      };
    }
  }

  /**
   * The current task's calls, innermost first. `topPc` is the exact op of the C frame on top
   * (known after a fault); otherwise a synchronous routine's caller location gives it.
   */
  saveStack(topPc?: number): SavedStack {
    const k = this.k;
    const task = k.current;
    const thread = task?.thread;
    const frames: SavedFrame[] = [];
    let callerLoc: SourceLoc | undefined;
    for (let i = this.nativeRoutines.length - 1; i >= 0; i--) {
      if (this.nativeThreads[i] !== thread) continue;
      frames.push({ fn: this.nativeRoutines[i], pc: -1 });
      callerLoc = this.nativeCallerLocs[i];
    }
    const all = thread?.frames ?? [];
    for (let i = all.length - 1; i >= 0; i--) {
      const f = all[i];
      if (f.kind === 'native') {
        frames.push({ fn: f.routine, pc: -1 });
        continue;
      }
      let pc: number;
      if (i === all.length - 1) {
        const at = callerLoc ? f.fn.locs.indexOf(callerLoc) : -1;
        pc = topPc ?? (at >= 0 ? at : f.pc);
      } else {
        // A frame below a call has its pc after the call op; below a trap or an interrupt, at the op.
        const above = all[i + 1];
        pc = above.kind === 'native' && (above.trapFor !== undefined || above.interrupt) ? f.pc : f.pc - 1;
      }
      frames.push({ fn: f.fn, pc: Math.max(pc, 0) });
    }
    return { pid: task?.pid ?? 0, comm: task?.comm ?? 'swapper/0', jiffies: k.jiffies(), ns: k.nowNs(), frames };
  }

  /** Call-trace lines of a saved stack, as the oops prints its frames. */
  stackLines(stack: SavedStack): string[] {
    return stack.frames.map((f) => this.k.oops.codeLine(f.fn, f.pc));
  }

  /** `fn+0x1c/0x80 [mod] (file.c:12)`: the innermost C frame of a stack (else its first frame). */
  siteOf(stack: SavedStack): string {
    const f = stack.frames.find((x) => x.fn.kind === 'c') ?? stack.frames[0];
    if (!f) return '?';
    const sym = this.k.oops.symbolize(this.k.oops.codeIp(f.fn, f.pc)) || f.fn.name;
    const loc = f.fn.kind === 'c' ? f.fn.locs[f.pc] : undefined;
    return loc ? `${sym} (${loc.file}:${loc.line})` : sym;
  }

  private siteKey(kind: string, stack: SavedStack): string {
    return `${kind}@${stack.frames
      .slice(0, 2)
      .map((f) => `${f.fn.address}:${f.pc}`)
      .join('<')}`;
  }

  // ---- checking accesses ------------------------------------------------------------------------

  /** The CPU's hook (bound once): a kernel-mode access to [va, va+n) lands in a frame with poison. */
  /**
   * How many bytes of [pa, pa + n) (one frame), from its start or (fromEnd) from its end, are
   * accessible: checkAccess would report nothing there (a page run over a kmalloc'd buffer
   * runs over those bytes without asking at each access).
   */
  readonly cleanBytes = (pa: number, n: number, fromEnd: boolean): number => {
    const s = this.shadow[Math.floor(pa / PAGE_SIZE)];
    if (s === undefined) return n;
    const off = pa & 4095;
    const bad = fromEnd ? lastBadByte(s.granules, off, n) : firstBadByte(s.granules, off, n);
    if (bad < 0) return n;
    return fromEnd ? off + n - 1 - bad : bad - off;
  };

  readonly checkAccess = (va: number, pa: number, sizeBytes: number, write: boolean): void => {
    const s = this.shadow[Math.floor(pa / PAGE_SIZE)];
    if (s === undefined) return;
    const off = pa & 4095;
    const g = s.granules;
    const last = off + sizeBytes - 1;
    // The common case: a scalar inside one valid granule.
    if (off >> 3 === last >> 3) {
      const v = g[off >> 3];
      if (v === 0 || (v < KASAN_GRANULE_BYTES && (last & 7) < v)) return;
    }
    const bad = firstBadByte(g, off, sizeBytes);
    if (bad < 0 || !this.k.arch.isKernelVa(va)) return;
    const badVa = va + (bad - off);
    let code = g[bad >> 3];
    // A partly valid granule: the next one says what lies beyond (get_bug_type).
    if (code < KASAN_GRANULE_BYTES) code = this.shadowAt(badVa - (badVa & 7) + KASAN_GRANULE_BYTES) ?? code;
    this.badAccess(va, badVa, sizeBytes, write, code);
  };

  private badAccess(accessVa: number, badVa: number, sizeBytes: number, write: boolean, code: number): void {
    const thread = this.k.current?.thread;
    if (this.mute !== undefined && this.mute.thread === thread && this.mute.steps === this.k.exec.steps) return;
    if (this.madeByCOp(thread)) throw new KasanFault(accessVa, badVa, sizeBytes, write, code);
    this.reportAccess(this.saveStack(), accessVa, badVa, sizeBytes, write, code);
  }

  /** Is the access a kernel C statement's own (no kernel routine in between)? */
  private madeByCOp(thread: Thread | undefined): boolean {
    if (thread === undefined || this.nativeRoutines.length !== 0 || this.k.exec.current !== thread) return false;
    const top = thread.top;
    return top !== undefined && top.kind === 'c' && top.fn.mode === MODE_KERNEL;
  }

  /** The kernel's handler for a KasanFault: report from where the op stopped, then re-run it. */
  handlerFor(fault: KasanFault, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    this.pending = { fault, pc: site.frame.kind === 'c' ? site.frame.pc : undefined };
    return { routine: this.reportRoutine, args: [] };
  }

  private reportPending(): number {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return 0;
    const f = p.fault;
    this.reportAccess(this.saveStack(p.pc), f.accessVa, f.badVa, f.sizeBytes, f.write, f.shadow);
    // The run loop re-runs the op as the next step: its accesses are let through that once.
    this.mute = { thread: this.k.current.thread, steps: this.k.exec.steps + 1 };
    return 0;
  }

  // ---- reports ----------------------------------------------------------------------------------

  private reportAccess(stack: SavedStack, accessVa: number, badVa: number, sizeBytes: number, write: boolean, code: number): void {
    const kind = bugKind(code);
    const key = this.siteKey(kind, stack);
    if (this.reportedSites.has(key)) return;
    this.reportedSites.add(key);
    const p = (v: number) => this.k.oops.fmtPtr(v);
    const where = this.k.oops.symbolize(this.k.oops.codeIp(stack.frames[0].fn, stack.frames[0].pc)) || stack.frames[0].fn.name;
    this.print(stack, [
      RULE,
      `BUG: KASAN: ${kind} in ${where} at addr ${p(accessVa)}`,
      `${write ? 'Write' : 'Read'} of size ${sizeBytes} by task ${stack.comm}/${stack.pid}`,
      this.k.oops.taskLine(this.k.current),
      'Call Trace:',
      ...this.stackLines(stack),
      '',
      ...this.describe(accessVa),
      ...this.memoryState(badVa),
      RULE,
    ]);
  }

  /** kfree/vfree of something that is not a live object's start (4.14's kasan_report_invalid_free). */
  invalidFree(va: number): void {
    const stack = this.saveStack();
    const key = this.siteKey('double-free', stack);
    if (this.reportedSites.has(key)) return;
    this.reportedSites.add(key);
    const description = this.describe(va);
    if (description.length === 0) return;
    this.print(stack, [
      RULE,
      `BUG: KASAN: double-free or invalid-free in ${this.siteOf(stack)}`,
      '',
      this.k.oops.taskLine(this.k.current),
      'Call Trace:',
      ...this.stackLines(stack),
      '',
      ...description,
      RULE,
    ]);
  }

  private print(stack: SavedStack, lines: string[]): void {
    for (const l of lines) this.k.printk(`\x013${l}\n`);
    const text = lines.join('\n');
    this.reports.push(text);
    this.k.emit({ kind: 'warn', pid: stack.pid, text });
  }

  private historyLines(alloc: SavedStack, free: SavedStack | undefined): string[] {
    const out = [`Allocated by task ${alloc.pid}:`, ...this.stackLines(alloc), ''];
    if (free) out.push(`Freed by task ${free.pid}:`, ...this.stackLines(free), '');
    return out;
  }

  /** "The buggy address is located N bytes inside of / to the right of ... region". */
  private locationLines(va: number, start: number, regionBytes: number, state: string): string[] {
    const p = (v: number) => this.k.oops.fmtPtr(v);
    let rel = 'inside';
    let n = va - start;
    if (va < start) {
      rel = 'to the left';
      n = start - va;
    } else if (va >= start + regionBytes) {
      rel = 'to the right';
      n = va - (start + regionBytes);
    }
    return [`The buggy address is located ${n} bytes ${rel} of`, ` ${state}${regionBytes}-byte region [${p(start)}, ${p(start + regionBytes)})`, ''];
  }

  /** Everything KASAN knows of the memory at `va`: who allocated and freed it, and what it is. */
  private describe(va: number): string[] {
    const p = (v: number) => this.k.oops.fmtPtr(v);
    const slab = this.slabObjectAt(va);
    if (slab) {
      const { rec, objVa, info } = slab;
      const state = !rec ? 'never-allocated ' : rec.free ? 'freed ' : 'allocated ';
      const region = rec && !rec.free ? rec.requestedBytes : info.objSize;
      return [
        ...(rec ? this.historyLines(rec.alloc, rec.free) : []),
        `The buggy address belongs to the object at ${p(objVa)}`,
        ` which belongs to the cache ${info.cacheName} of size ${info.objSize}`,
        ...this.locationLines(va, objVa, region, state),
      ];
    }
    const pa = this.k.directMapPa(va);
    const head = pa === undefined ? undefined : this.largeFrames.get(Math.floor(pa / PAGE_SIZE));
    const large = head === undefined ? undefined : this.objects.get(head);
    if (head !== undefined && large) {
      return [
        ...this.historyLines(large.alloc, large.free),
        `The buggy address belongs to the object at ${p(head)}`,
        ` which belongs to the page allocator: an order-${Math.log2(large.sizeBytes / PAGE_SIZE)} block of ${large.sizeBytes} bytes`,
        ...this.locationLines(va, head, large.free ? large.sizeBytes : large.requestedBytes, large.free ? 'freed ' : 'allocated '),
      ];
    }
    const vm = this.vmallocAt(va);
    if (vm) {
      return [
        ...this.historyLines(vm.alloc, vm.free),
        'The buggy address belongs to the virtual mapping at',
        ` [${p(vm.start)}, ${p(vm.start + vm.mappedBytes)}) created by ${this.siteOf(vm.alloc)}`,
        ...this.locationLines(va, vm.start, vm.requestedBytes, vm.free ? 'freed ' : 'allocated '),
      ];
    }
    return [];
  }

  /**
   * The slab object at `va`. An address in a slot nobody allocated, right after a live object,
   * is described by that object, as KASAN describes a redzone by the object it guards.
   */
  private slabObjectAt(va: number): { rec: ObjectRecord | undefined; objVa: number; info: SlabInfo } | undefined {
    const pa = this.k.directMapPa(va);
    const info = pa === undefined ? undefined : this.slabs.get(Math.floor(pa / PAGE_SIZE));
    if (!info) return undefined;
    let index = Math.min(Math.floor((va - info.baseVa) / info.objSize), info.objectCount - 1);
    let rec = this.objects.get(info.baseVa + index * info.objSize);
    if (!rec && index > 0) {
      const left = this.objects.get(info.baseVa + (index - 1) * info.objSize);
      if (left && !left.free) {
        index--;
        rec = left;
      }
    }
    return { rec, objVa: info.baseVa + index * info.objSize, info };
  }

  /** The vmalloc area whose pages or guard page hold `va`; a live one before a vfree'd one. */
  private vmallocAt(va: number): VmallocRecord | undefined {
    const inside = (r: VmallocRecord) => va >= r.start && va < r.start + r.mappedBytes + PAGE_SIZE;
    return this.vmallocs.find((r) => !r.free && inside(r)) ?? [...this.vmallocs].reverse().find(inside);
  }

  /** vfree of a pointer vmalloc did not return, or of an area already freed. */
  invalidVfree(addr: number): void {
    const vm = this.vmallocAt(addr);
    if (vm && (vm.free || addr !== vm.start)) this.invalidFree(addr);
  }

  /** kfree of a pointer that is not a live object: only if KASAN can say what it points at. */
  invalidKfree(va: number): void {
    if (this.slabObjectAt(va) || this.objects.has(va)) this.invalidFree(va);
  }

  /** KASAN's "Memory state around the buggy address": shadow rows of 16 granules. */
  private memoryState(badVa: number): string[] {
    const rowBytes = 16 * KASAN_GRANULE_BYTES;
    const row = Math.floor(badVa / rowBytes) * rowBytes;
    const out = ['Memory state around the buggy address:'];
    let caret = '';
    for (let r = -2; r <= 2; r++) {
      const at = row + r * rowBytes;
      const cells: string[] = [];
      for (let i = 0; i < 16; i++) {
        const v = this.shadowAt(at + i * KASAN_GRANULE_BYTES);
        cells.push((v ?? KASAN_VMALLOC_INVALID).toString(16).padStart(2, '0'));
      }
      const head = `${r === 0 ? '>' : ' '}${this.k.oops.fmtPtr(at)}: `;
      out.push(head + cells.join(' '));
      if (r === 0) {
        caret = ' '.repeat(head.length + Math.floor((badVa - row) / KASAN_GRANULE_BYTES) * 3) + '^';
        out.push(caret);
      }
    }
    return out;
  }

  /**
   * For an oops at `address`: a vmalloc guard page or a vfree'd area, said as one extra line
   * (KASAN itself leaves these to the page fault).
   */
  describeFault(address: I64): string[] {
    if (typeof address !== 'number') return [];
    const vm = this.vmallocAt(address);
    if (!vm) return [];
    const p = (v: number) => this.k.oops.fmtPtr(v);
    const region = `${vm.requestedBytes}-byte region [${p(vm.start)}, ${p(vm.start + vm.requestedBytes)}) allocated by ${this.siteOf(vm.alloc)}`;
    if (vm.free) return [`vmalloc use-after-free: ${p(address)} is ${address - vm.start} bytes inside the ${region}, vfree'd by ${this.siteOf(vm.free)}`];
    if (address >= vm.start + vm.mappedBytes) return [`vmalloc out-of-bounds: ${p(address)} is in the guard page, ${address - (vm.start + vm.requestedBytes)} bytes to the right of the ${region}`];
    return [];
  }
}
