/**
 * The emulated kernel: boot (the direct map, mem_map, the kernel's page tables), the subsystems,
 * and the executor's host side (traps go to the fault handler, calls through pointers resolve
 * to C functions or kernel routines). Linux 3.7 flavoured; see FACTS.md for the rules it follows.
 */
import { archForRam, type ArchSpec } from '../machine/arch/types';
import { describeLayout32 } from '../machine/arch/x86_32';
import { Cpu, Trap } from '../machine/cpu';
import { PhysMem, PAGE_SIZE, WATCH_PAGETABLE } from '../machine/physmem';
import { MODE_USER } from '../machine/tlb';
import { Executor, KernelStackOverflow, type ExecHost, type TrapSite } from '../exec/executor';
import type { Thread } from '../exec/thread';
import type { Callable, NativeRoutine, Value } from '../exec/types';
import type { I64 } from '../util/int64';
import { KMem, KStructs } from './kmem';
import type { StructLayouts } from './layout';
import { PageAllocator } from './page_alloc';
import { PageTables, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW } from './pgtable';
import { PrintkLog, type LogRecord } from './printk';
import { RoutineTable } from './routines';
import { Task, type Credentials } from './task';
import { Slab } from './slab';
import { Kasan, KasanFault } from './kasan';
import { Vmalloc } from './vmalloc';
import { Mm, MmSubsystem } from './mm';
import { Faults } from './fault';
import { Uaccess } from './uaccess';
import { Vfs } from './vfs';
import { Oops } from './oops';
import { Locks } from './locks';
import { Lib } from './lib';
import { Highmem } from './highmem';
import { Sched } from './sched';
import { Signals } from './signal';
import { Modules } from './module';
import { Kallsyms } from './kallsyms';
import { Procfs } from './procfs';
import { Memory } from './memory';
import { Binfmt } from './binfmt';
import { Timers } from './timer';
import { ProcEntries } from './drivers/procentries';
import { registerSecurelevelSysctl } from './drivers/securelevel';
import { DevMem } from './drivers/devmem';
import type { DevmemConfig } from './drivers/devmemConfig';
import { MemDevices } from './drivers/memdevs';
import { Ksyms } from './drivers/ksyms';
import { Vt } from './drivers/vt';
import { Remote } from './remote';
import { Sys } from './sys';
import { VmaRange } from './vmarange';
import { Mremap } from './mremap';

/** Emulated nanoseconds per executed op: a 100 MHz machine, so timers fire after reasonable work. */
export const NS_PER_STEP = 10;
/** Steps charged for entering the page-fault path (about a microsecond on 2012 hardware). */
export const FAULT_ENTRY_STEPS = 100;
/** Steps charged for delivering a signal to a handler, and for sigreturn. */
export const SIGNAL_DELIVERY_STEPS = 200;
export const SIGRETURN_STEPS = 100;
export const HZ = 250;
/**
 * ((unsigned long)(unsigned int)(-300 * HZ)): jiffies start five minutes before a 32-bit wrap on
 * every arch, so wrap bugs show early (on 64-bit the value simply goes on past 2^32).
 */
export const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;
/** Bytes of the kernel image (text, data, bss) loaded at CONFIG_PHYSICAL_START. */
const KERNEL_IMAGE_BYTES = 4 << 20;

export interface KernelConfig {
  arch: ArchSpec;
  ramBytes: number;
  layouts: StructLayouts;
  securelevel: number;
  /** /dev/mem: policy, machine descriptions, node mode (lab.json); Linux's rule when absent. */
  devmem?: DevmemConfig;
}

/** A hook the session installs to hear about kernel events (page faults, oopses...). */
export interface KernelEvents {
  onEvent?(e: KernelEvent): void;
}

export type KernelEvent =
  | { kind: 'pagefault'; pid: number; va: I64; errorCode: number; user: boolean; resolved: string }
  | { kind: 'oops'; pid: number; text: string }
  | { kind: 'signal'; pid: number; signo: number; code: number; addr: I64 }
  | { kind: 'uaccess-fixup'; pid: number; va: I64; routine: string }
  | { kind: 'stale-tlb'; pid: number; va: I64; write: boolean }
  | { kind: 'warn'; pid: number; text: string }
  | { kind: 'lock'; pid: number; text: string };

export class Kernel implements ExecHost {
  readonly arch: ArchSpec;
  readonly mem: PhysMem;
  readonly cpu: Cpu;
  readonly exec: Executor;
  readonly km: KMem;
  readonly structs: KStructs;
  readonly pages: PageAllocator;
  readonly pt: PageTables;
  readonly routines: RoutineTable;
  readonly log = new PrintkLog();
  /** Every function with an address (kernel routines, module and program functions, libc). */
  readonly functions = new Map<number, Callable>();
  readonly tasks = new Map<number, Task>();
  readonly events: KernelEvents = {};
  swapperPgdPa = 0;
  initMm!: Mm;
  idle!: Task;
  securelevel: number;
  /** Emulated time spent idle (all tasks asleep), on top of executed steps. */
  idleNs = 0;
  private nextPid = 1;
  private kdataNext = 0;
  private kdataEnd = 0;
  jiffiesVa = 0;

  readonly kasan: Kasan;
  readonly slab: Slab;
  readonly vmalloc: Vmalloc;
  readonly mmSub: MmSubsystem;
  readonly memory: Memory;
  readonly faults: Faults;
  readonly uaccess: Uaccess;
  readonly vfs: Vfs;
  readonly oops: Oops;
  readonly locks: Locks;
  readonly lib: Lib;
  readonly highmem: Highmem;
  readonly sched: Sched;
  readonly signals: Signals;
  readonly modules: Modules;
  readonly kallsyms: Kallsyms;
  readonly procfs: Procfs;
  readonly binfmt: Binfmt;
  readonly timers: Timers;
  readonly procEntries: ProcEntries;
  readonly devmem: DevMem;
  readonly ksyms: Ksyms;
  readonly remote: Remote;
  readonly vmaRange: VmaRange;
  readonly mremap: Mremap;
  readonly sys: Sys;
  readonly vt: Vt;

  constructor(readonly cfg: KernelConfig) {
    this.arch = archForRam(cfg.arch, cfg.ramBytes);
    this.securelevel = cfg.securelevel;
    this.mem = new PhysMem(cfg.ramBytes);
    this.cpu = new Cpu(this.mem, this.arch);
    this.exec = new Executor(this);
    this.km = new KMem(this.mem, this.arch, () => this.swapperPgdPa);
    this.structs = new KStructs(cfg.layouts, this.km);
    const L = this.arch.layout;
    const lowmemPages = Math.floor(Math.min(cfg.ramBytes, L.directMapMaxBytes) / PAGE_SIZE);
    // 32-bit kernels have no DMA32 zone: ZONE_NORMAL ends where lowmem does, HighMem follows.
    this.pages = new PageAllocator(cfg.ramBytes, this.arch.vaBits === 32 || cfg.ramBytes > L.directMapMaxBytes ? lowmemPages : undefined, this.km);
    this.pt = new PageTables(this.mem, this.arch, (kernel) => this.allocTablePage(kernel), (pfn) => this.freeTablePage(pfn));
    this.routines = new RoutineTable((L.kernelTextMap as number) + L.kernelLoadPa);
    this.kasan = new Kasan(this);
    this.pages.onAlloc = (pfn, pageCount) => this.kasan.pagesAllocated(pfn, pageCount);
    this.cpu.onPoisonedAccess = this.kasan.checkAccess;
    this.cpu.onPoisonedRange = this.kasan.cleanBytes;
    this.bootMemory();
    this.slab = new Slab(this);
    this.vmalloc = new Vmalloc(this);
    this.mmSub = new MmSubsystem(this);
    this.memory = new Memory(this);
    this.faults = new Faults(this);
    this.uaccess = new Uaccess(this);
    this.oops = new Oops(this);
    this.locks = new Locks(this);
    this.lib = new Lib(this);
    this.highmem = new Highmem(this);
    this.remote = new Remote(this);
    this.vmaRange = new VmaRange(this);
    this.mremap = new Mremap(this);
    this.sys = new Sys(this);
    this.timers = new Timers(this);
    this.sched = new Sched(this);
    this.signals = new Signals(this);
    this.vfs = new Vfs(this);
    this.modules = new Modules(this);
    this.procEntries = new ProcEntries(this);
    registerSecurelevelSysctl(this, this.procEntries);
    this.devmem = new DevMem(this, cfg.devmem, this.procEntries);
    new MemDevices(this, this.devmem);
    this.vt = new Vt(this, this.procEntries);
    this.kallsyms = new Kallsyms(this);
    this.highmem.addSymbols(this.kallsyms);
    this.vt.addSymbols(this.kallsyms);
    this.procfs = new Procfs(this);
    this.binfmt = new Binfmt(this);
    for (const r of this.routines.all()) this.functions.set(r.address as number, r);
    this.ksyms = new Ksyms(this);
    this.bootTasks();
    this.bootBanner();
    this.cpu.onStaleUse = (va, e, write) => this.staleTlbUse(va, e.pfn, write);
    // Last: every kernel routine is defined by now.
    this.kasan.watchRoutines(this.routines.all());
  }

  // ---- memory at boot --------------------------------------------------------------------------

  /** Physical layout, the direct map and mem_map, as setup_arch / paging_init leave them. */
  private bootMemory(): void {
    const L = this.arch.layout;
    const pages = this.pages;
    // The first MiB belongs to the BIOS and legacy devices; the kernel image sits at 16 MiB.
    pages.reserve(0, 256, 'reserved');
    const imageStartPfn = L.kernelLoadPa / PAGE_SIZE;
    pages.reserve(imageStartPfn, KERNEL_IMAGE_BYTES / PAGE_SIZE, 'kernel');
    this.km.kernelImageBytes = KERNEL_IMAGE_BYTES;
    // Kernel static data lives in the image, after a text area the routines are numbered into.
    this.kdataNext = L.kernelLoadPa + (1 << 20);
    this.kdataEnd = L.kernelLoadPa + KERNEL_IMAGE_BYTES;
    this.swapperPgdPa = this.kdataPa(PAGE_SIZE, PAGE_SIZE);
    const pk = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL;
    // The direct map: all of lowmem at PAGE_OFFSET, with large pages where they fit.
    const lowmem = Math.min(this.cfg.ramBytes, L.directMapMaxBytes);
    const large = this.arch.levels.find((l) => l.largePage && !l.folded)!;
    const largeBytes = 2 ** large.shift;
    const largePart = Math.floor(lowmem / largeBytes) * largeBytes;
    this.pt.mapRange(this.swapperPgdPa, L.pageOffset as number, 0, largePart, pk | _PAGE_NX, large.shift);
    if (lowmem > largePart) this.pt.mapRange(this.swapperPgdPa, (L.pageOffset as number) + largePart, largePart, lowmem - largePart, pk | _PAGE_NX, 12);
    this.km.directMapBytes = lowmem;
    // The kernel image mapping (x86_64's __START_KERNEL_map).
    if (this.arch.vaBits === 64) {
      const imageEnd = Math.ceil((L.kernelLoadPa + KERNEL_IMAGE_BYTES) / largeBytes) * largeBytes;
      this.pt.mapRange(this.swapperPgdPa, L.kernelTextMap as number, 0, imageEnd, pk, large.shift);
    }
    // mem_map: one struct page per frame, in the vmemmap area (x86_64) or in lowmem (i386).
    const pageStruct = this.structs.get('page');
    const memMapBytes = pages.frameCount * pageStruct.sizeBytes;
    const memMapPages = Math.ceil(memMapBytes / PAGE_SIZE);
    const order = Math.ceil(Math.log2(memMapPages));
    const memMapPfn = pages.alloc(order, 0, 'mem_map');
    if (memMapPfn === undefined) throw new Error('no memory for mem_map');
    let memMapVa: number;
    if (L.vmemmap !== undefined) {
      memMapVa = L.vmemmap as number;
      for (let i = 0; i < memMapPages; i++) {
        const e = this.pt.entryFor(this.swapperPgdPa, memMapVa + i * PAGE_SIZE, 'pte', 'kernel')!;
        this.pt.write(e, this.pt.mkEntry(memMapPfn + i, pk | _PAGE_NX));
      }
      this.km.addLinearMapping(memMapVa, memMapPfn * PAGE_SIZE, memMapPages * PAGE_SIZE);
    } else memMapVa = this.directMapVa(memMapPfn * PAGE_SIZE);
    pages.attachMemMap(memMapVa, memMapPfn * PAGE_SIZE, pageStruct);
    this.jiffiesVa = this.kdataAlloc(8, 8);
  }

  private allocTablePage(kernel: boolean): number {
    void kernel;
    const pfn = this.pages.alloc(0, 0, 'pagetable');
    if (pfn === undefined) throw new Error('out of memory for a page table');
    this.mem.fill(pfn * PAGE_SIZE, 0, PAGE_SIZE);
    this.cpu.setWatch(pfn, WATCH_PAGETABLE, true);
    return pfn;
  }

  private freeTablePage(pfn: number): void {
    this.cpu.setWatch(pfn, WATCH_PAGETABLE, false);
    this.pages.free(pfn, 0);
  }

  /** Physical bytes in the kernel image's data area (static kernel objects). */
  kdataPa(sizeBytes: number, align: number): number {
    const pa = Math.ceil(this.kdataNext / align) * align;
    if (pa + sizeBytes > this.kdataEnd) throw new Error('kernel image data area exhausted');
    this.kdataNext = pa + sizeBytes;
    this.mem.fill(pa, 0, sizeBytes);
    return pa;
  }

  /** A static kernel object: its virtual address in the kernel image mapping. */
  kdataAlloc(sizeBytes: number, align: number): number {
    const pa = this.kdataPa(sizeBytes, align);
    return this.arch.vaBits === 64 ? (this.arch.layout.kernelTextMap as number) + pa : this.directMapVa(pa);
  }

  directMapVa(pa: number): number {
    return (this.arch.layout.pageOffset as number) + pa;
  }

  /** __pa() for direct-mapped and image addresses; undefined otherwise. */
  directMapPa(va: I64): number | undefined {
    if (typeof va !== 'number') return undefined;
    const L = this.arch.layout;
    const off = va - (L.pageOffset as number);
    if (off >= 0 && off < this.km.directMapBytes) return off;
    if (this.arch.vaBits === 64) {
      const k = va - (L.kernelTextMap as number);
      if (k >= 0 && k < L.kernelLoadPa + KERNEL_IMAGE_BYTES) return k;
    }
    return undefined;
  }

  // ---- tasks -------------------------------------------------------------------------------------

  private bootTasks(): void {
    this.initMm = this.mmSub.createInitMm();
    const root: Credentials = { uid: 0, gid: 0, euid: 0, egid: 0 };
    this.idle = this.newTask('swapper/0', 'kernel', root, undefined, 0);
    this.idle.setMm(undefined, this.initMm);
    this.current = this.idle;
  }

  current!: Task;

  newTask(comm: string, kind: 'user' | 'kernel', cred: Credentials, parent: Task | undefined, pid?: number): Task {
    const id = pid ?? this.nextPid++;
    if (pid !== undefined && pid >= this.nextPid) this.nextPid = pid + 1;
    const t = new Task(this, id, comm, kind, cred, parent);
    this.tasks.set(id, t);
    return t;
  }

  /** Makes `t` the running task: its address space goes into CR3. */
  switchTo(t: Task): void {
    if (this.current === t) return;
    const prev = this.current;
    this.current = t;
    const mm = t.mm ?? prev.activeMm ?? this.initMm;
    if (!t.mm) t.activeMm = mm;
    if (this.cpu.cr3Pa !== mm.pgdPa) this.cpu.loadCr3(mm.pgdPa);
  }

  taskOf(thread: Thread): Task {
    return thread.owner as Task;
  }

  // ---- time ------------------------------------------------------------------------------------

  nowNs(): number {
    return this.exec.steps * NS_PER_STEP + this.idleNs;
  }

  /** jiffies as an unsigned long of the arch: it wraps at 2^32 on the 32-bit ones. */
  jiffies(): I64 {
    const j = INITIAL_JIFFIES + Math.floor(this.nowNs() / (1e9 / HZ));
    return this.arch.abi.longBytes === 4 ? j % 2 ** 32 : j;
  }

  syncJiffies(): void {
    this.km.wptr(this.jiffiesVa, this.jiffies());
  }

  // ---- logging -----------------------------------------------------------------------------------

  printk(text: string, loc?: LogRecord['loc']): void {
    this.log.write(text, this.nowNs(), this.current?.pid ?? 0, loc);
  }

  /**
   * An access went through a TLB entry whose page-table entry changed without a flush: the CPU
   * used the old frame. Recorded in dmesg (once per entry) and sent to the debugger.
   */
  private staleTlbUse(va: number, oldPfn: number, write: boolean): void {
    const now = this.cpu.peekTranslate(va);
    const t = this.current;
    const tables = now === undefined ? 'map nothing there' : `map pfn 0x${Math.floor(now / 4096).toString(16)}`;
    this.printk(`\x017kmemlab: stale TLB entry: ${t.comm}[${t.pid}] ${write ? 'write' : 'read'} at ${this.oops.fmtPtr(va)} reached pfn 0x${oldPfn.toString(16)}; the page tables now ${tables}\n`);
    this.emit({ kind: 'stale-tlb', pid: t.pid, va, write });
  }

  emit(e: KernelEvent): void {
    this.events.onEvent?.(e);
  }

  private bootBanner(): void {
    const mib = Math.floor(this.cfg.ramBytes / (1 << 20));
    this.printk(`\x015Linux version 3.7.10-kmemlab (${this.arch.name}) #1 SMP\n`);
    if (this.arch.vaBits === 32) {
      const high = this.pages.zones.find((z) => z.name === 'HighMem');
      if (high) this.printk(`\x015${(high.endPfn - high.startPfn) >> 8}MB HIGHMEM available.\n`);
      this.printk(`\x015${Math.floor(this.km.directMapBytes / (1 << 20))}MB LOWMEM available.\n`);
    }
    for (const z of this.pages.zones) {
      this.printk(`\x016  ${z.name.padEnd(8)} [mem 0x${(z.startPfn * PAGE_SIZE).toString(16).padStart(8, '0')}-0x${(z.endPfn * PAGE_SIZE - 1).toString(16).padStart(8, '0')}]\n`);
    }
    this.printk(`\x016Memory: ${this.pages.freePages * 4}k/${mib * 1024}k available\n`);
    if (this.arch.vaBits === 32) for (const l of describeLayout32(this.arch.layout)) this.printk(`\x016${l}\n`);
  }

  // ---- ExecHost --------------------------------------------------------------------------------

  trapHandler(thread: Thread, trap: Trap, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    return this.faults.handlerFor(this.taskOf(thread), trap, site);
  }

  internalError(thread: Thread, error: unknown, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    if (error instanceof KasanFault) return this.kasan.handlerFor(error, site);
    if (error instanceof KernelStackOverflow) return this.oops.stackOverflowHandler(this.taskOf(thread), error, site);
    return this.oops.internalErrorHandler(this.taskOf(thread), error, site);
  }

  /**
   * The function at an address. User addresses are looked up in the running task's address
   * space first: every program is linked at the same addresses, so the same address is a
   * different function in each process.
   */
  resolve(address: I64): Callable | undefined {
    if (typeof address !== 'number') return undefined;
    return this.current?.mm?.userFunctions.get(address) ?? this.functions.get(address);
  }

  threadDone(thread: Thread, value: Value | undefined): void {
    const t = this.taskOf(thread);
    if (t === this.idle) {
      // The idle task ran an interrupt and has nothing left to do: it just idles again.
      thread.state = 'runnable';
      return;
    }
    if (!t.exited) this.sched.reap(t, typeof value === 'number' ? value : 0, undefined);
  }

  returnedToUser(thread: Thread): void {
    this.signals.returnToUser(this.taskOf(thread));
  }

  /** Registers a function (a module's or a program's) so pointers to it can be called. */
  registerFunction(f: Callable): void {
    this.functions.set(f.address as number, f);
  }

  isUserMode(thread: Thread): boolean {
    return thread.mode === MODE_USER;
  }
}

export { Trap };
