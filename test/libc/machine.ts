// A tiny machine for running libc routines without the real kernel: physical memory, an x86_64
// page table built by hand, a real Executor, and a fake kernel whose system calls are native
// routines. User pages are mapped on demand by the fault handler (so libc's trap/retry path runs
// for real); an address outside every region the process owns gets SIGSEGV.

import { Executor, type ExecHost, type TrapSite } from '../../engine/exec/executor';
import { Thread } from '../../engine/exec/thread';
import type { Callable, NativeContext, NativeGen, NativeRoutine, Value } from '../../engine/exec/types';
import { X86_64 } from '../../engine/machine/arch/x86_64';
import { Cpu, MODE_KERNEL, MODE_USER, Trap } from '../../engine/machine/cpu';
import { levelIndex } from '../../engine/machine/mmu';
import { PhysMem } from '../../engine/machine/physmem';
import type { I64 } from '../../engine/util/int64';
import { Libc, LIBC_DATA_BYTES } from '../../engine/libc/index';
import type { LibcHost } from '../../engine/libc/port';

export const PAGE = 4096;
export const DATA_VA = 0x601000;
export const BRK_START = 0x1000000;
export const BRK_LIMIT = 0x5000000;
/** Test-owned memory for arguments; mapped on first touch like any other page. */
export const SCRATCH_VA = 0x8000000;
export const SCRATCH_END = 0x9000000;
export const MMAP_TOP = 0x7f0000000000;
export const STACK_TOP = 0x7ffffffff000;
/** With `ilp32`, every user address stays below 4 GiB, as on i386. */
const ILP32_MMAP_TOP = 0xb7800000;
const ILP32_STACK_TOP = 0xbffff000;
const STACK_BYTES = 64 * 1024;

export const SIGABRT = 6;
export const SIGSEGV = 11;
export const SIGFPE = 8;

interface Region {
  start: number;
  end: number;
}

export interface CallResult {
  value: Value | undefined;
  /** Set when the process died instead of returning. */
  exitStatus?: number;
  signal?: number;
}

const enc = new TextEncoder();

export class TestMachine implements ExecHost, LibcHost {
  readonly mem = new PhysMem(256 * 1024 * 1024);
  readonly cpu = new Cpu(this.mem, X86_64);
  /** LibcHost: the C ABI. The paging stays x86_64's; libc only sees pointer and long widths. */
  readonly ptrBytes: 4 | 8;
  readonly longBytes: 4 | 8;
  readonly stackTop: number;
  readonly exec: Executor;
  readonly libc: Libc;
  readonly thread = new Thread(1, 'test', undefined);
  readonly pid = 42;
  private nextPfn = 1;
  private readonly cr3: number;
  /** Bytes written to each fd. */
  readonly written = new Map<number, number[]>();
  /** write() calls per fd, to see buffering. */
  readonly writeCalls: { fd: number; bytes: string }[] = [];
  stdin = new Uint8Array(0);
  private stdinPos = 0;
  brk = BRK_START;
  private mmapNext: number;
  private readonly mmaps: Region[] = [];
  readonly owned: Region[] = [];
  faults = 0;
  exitStatus: number | undefined;
  signal: number | undefined;
  internalErrors: unknown[] = [];
  private result: Value | undefined;
  private readonly syscalls = new Map<string, NativeRoutine>();
  /** C function pointers the libc may call (qsort comparators, atexit handlers). */
  private readonly functions = new Map<number, Callable>();
  private nextFunctionVa = 0x400000;
  /** A tiny file system for open/read/write/lseek. */
  readonly files = new Map<string, number[]>();
  private readonly fds = new Map<number, { path: string; pos: number; append: boolean }>();
  private scratchNext = SCRATCH_VA;

  constructor(opts: { programName?: string; omitSyscalls?: string[]; ilp32?: boolean } = {}) {
    this.ptrBytes = opts.ilp32 ? 4 : 8;
    this.longBytes = opts.ilp32 ? 4 : 8;
    this.mmapNext = opts.ilp32 ? ILP32_MMAP_TOP : MMAP_TOP;
    this.stackTop = opts.ilp32 ? ILP32_STACK_TOP : STACK_TOP;
    const stackTop = this.stackTop;
    this.cr3 = this.newFrame() * PAGE;
    this.cpu.loadCr3(this.cr3);
    this.owned.push({ start: DATA_VA, end: DATA_VA + LIBC_DATA_BYTES });
    this.owned.push({ start: SCRATCH_VA, end: SCRATCH_END });
    this.owned.push({ start: stackTop - STACK_BYTES, end: stackTop });
    for (let va = DATA_VA; va < DATA_VA + LIBC_DATA_BYTES; va += PAGE) this.mapPage(va);
    for (let va = stackTop - STACK_BYTES; va < stackTop; va += PAGE) this.mapPage(va);
    this.thread.usp = stackTop;
    this.exec = new Executor(this);
    this.defineSyscalls(new Set(opts.omitSyscalls ?? []));
    this.libc = new Libc(this);
    this.libc.attach({ thread: this.thread, dataVa: DATA_VA, programName: opts.programName });
  }

  // ---- paging ----------------------------------------------------------------------------------

  private newFrame(): number {
    const pfn = this.nextPfn++;
    this.mem.frame(pfn).fill(0);
    return pfn;
  }

  private entryPa(tablePa: number, index: number): number {
    return tablePa + index * 8;
  }

  /** The PTE's physical address for va, creating the tables above it. */
  private ptePa(va: number, create: boolean): number | undefined {
    let tablePa = this.cr3;
    const levels = X86_64.levels;
    for (let i = 0; i < levels.length - 1; i++) {
      const at = this.entryPa(tablePa, levelIndex(va, levels[i].shift, 512));
      const lo = this.mem.read32(at);
      if ((lo & 1) === 0) {
        if (!create) return undefined;
        const pfn = this.newFrame();
        this.mem.write32(at, pfn * PAGE + 7);
        tablePa = pfn * PAGE;
      } else tablePa = (lo >>> 12) * PAGE;
    }
    return this.entryPa(tablePa, levelIndex(va, levels[levels.length - 1].shift, 512));
  }

  /** Pages taken out of the page tables with their contents kept, to come back on the next fault. */
  private readonly evicted = new Map<number, number>();

  mapPage(va: number): void {
    const pte = this.ptePa(va, true)!;
    if ((this.mem.read32(pte) & 1) !== 0) return;
    const kept = this.evicted.get(va);
    this.evicted.delete(va);
    this.mem.write32(pte, (kept ?? this.newFrame()) * PAGE + 7);
  }

  /** Unmaps the page at va but keeps its frame: the fault that follows maps the same data back. */
  evict(va: number): void {
    const page = va - (va % PAGE);
    const pte = this.ptePa(page, false);
    if (pte === undefined || (this.mem.read32(pte) & 1) === 0) return;
    this.evicted.set(page, this.mem.read32(pte) >>> 12);
    this.unmapPage(page);
  }

  unmapPage(va: number): void {
    const pte = this.ptePa(va, false);
    if (pte === undefined) return;
    this.mem.write32(pte, 0);
    this.cpu.tlb.flushPage(Math.floor(va / PAGE));
  }

  isMapped(va: number): boolean {
    const pte = this.ptePa(va, false);
    return pte !== undefined && (this.mem.read32(pte) & 1) !== 0;
  }

  private owns(va: number): boolean {
    const regions = [...this.owned, ...this.mmaps, { start: BRK_START, end: this.brk }];
    return regions.some((r) => va >= r.start && va < r.end);
  }

  // ---- ExecHost ----------------------------------------------------------------------------------

  trapHandler(thread: Thread, trap: Trap): { routine: NativeRoutine; args: Value[] } {
    return {
      routine: this.kernelRoutine('do_page_fault', () => {
        const va = typeof trap.va === 'number' ? trap.va : Number(trap.va);
        if (trap.kind === 'page' && this.owns(va)) {
          this.faults++;
          this.mapPage(va - (va % PAGE));
          return 0;
        }
        this.kill(thread, trap.kind === 'divide' ? SIGFPE : SIGSEGV);
        return 0;
      }),
      args: [],
    };
  }

  internalError(thread: Thread, error: unknown, _site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    this.internalErrors.push(error);
    return { routine: this.kernelRoutine('oops', () => { thread.state = 'dead'; return 0; }), args: [] };
  }

  resolve(address: I64): Callable | undefined {
    return this.functions.get(Number(address)) ?? [...this.libc.routines.values()].find((r) => r.address !== 0 && r.address === address);
  }

  threadDone(_thread: Thread, value: Value | undefined): void {
    this.result = value;
  }

  private kill(thread: Thread, sig: number): void {
    this.signal ??= sig;
    thread.state = 'dead';
  }

  // ---- LibcHost ----------------------------------------------------------------------------------

  syscall(name: string): NativeRoutine | undefined {
    return this.syscalls.get(name);
  }

  private kernelRoutine(name: string, impl: (args: Value[], ctx: NativeContext) => Value | undefined | NativeGen): NativeRoutine {
    return { kind: 'native', name, address: 0, paramNames: [], mode: MODE_KERNEL, impl: (ctx, args) => impl(args, ctx) };
  }

  /** copy_from_user / copy_to_user: a fault on an owned page maps it, as the kernel would. */
  private userRead(va: number, n: number): Uint8Array | undefined {
    for (let page = va - (va % PAGE); page < va + n; page += PAGE) {
      if (!this.isMapped(page)) {
        if (!this.owns(page)) return undefined;
        this.mapPage(page);
      }
    }
    return this.cpu.readBytes(va, n, MODE_USER);
  }

  private userWrite(va: number, bytes: Uint8Array): boolean {
    if (this.userRead(va, bytes.length) === undefined) return false;
    this.cpu.writeBytes(va, bytes, MODE_USER);
    return true;
  }

  private defineSyscalls(omit: Set<string>): void {
    const def = (name: string, impl: (a: number[], raw: Value[]) => Value) => {
      if (!omit.has(name)) this.syscalls.set(name, this.kernelRoutine(name, (args) => impl(args.map((v) => Number(v)), args)));
    };
    const EFAULT = -14;
    const EBADF = -9;
    def('write', ([fd, buf, n]) => {
      const bytes = this.userRead(buf, n);
      if (bytes === undefined) return EFAULT;
      const file = this.fds.get(fd);
      if (file) {
        const data = this.files.get(file.path)!;
        if (file.append) file.pos = data.length;
        for (let i = 0; i < n; i++) data[file.pos + i] = bytes[i];
        file.pos += n;
        return n;
      }
      if (fd !== 1 && fd !== 2) return EBADF;
      if (!this.written.has(fd)) this.written.set(fd, []);
      this.written.get(fd)!.push(...bytes);
      this.writeCalls.push({ fd, bytes: String.fromCharCode(...bytes) });
      return n;
    });
    def('read', ([fd, buf, n]) => {
      const file = this.fds.get(fd);
      let chunk: Uint8Array;
      if (file) {
        const data = this.files.get(file.path)!;
        chunk = Uint8Array.from(data.slice(file.pos, file.pos + n));
        file.pos += chunk.length;
      } else if (fd === 0) {
        chunk = this.stdin.subarray(this.stdinPos, this.stdinPos + n);
        this.stdinPos += chunk.length;
      } else return EBADF;
      return this.userWrite(buf, chunk) ? chunk.length : EFAULT;
    });
    def('open', ([path, flags]) => {
      const bytes = this.userRead(path, 256)!;
      const name = String.fromCharCode(...bytes.subarray(0, bytes.indexOf(0)));
      if (!this.files.has(name)) {
        if ((flags & 0o100) === 0) return -2;
        this.files.set(name, []);
      }
      if (flags & 0o1000) this.files.set(name, []);
      let fd = 3;
      while (this.fds.has(fd)) fd++;
      this.fds.set(fd, { path: name, pos: 0, append: (flags & 0o2000) !== 0 });
      return fd;
    });
    def('close', ([fd]) => (this.fds.delete(fd) || fd <= 2 ? 0 : EBADF));
    def('lseek', ([fd, off, whence]) => {
      const file = this.fds.get(fd);
      if (!file) return fd <= 2 ? -29 : EBADF;
      const base = whence === 0 ? 0 : whence === 1 ? file.pos : this.files.get(file.path)!.length;
      if (base + off < 0) return -22;
      file.pos = base + off;
      return file.pos;
    });
    def('brk', ([addr]) => {
      if (addr >= BRK_START && addr <= BRK_LIMIT) {
        for (let va = Math.ceil(addr / PAGE) * PAGE; va < this.brk; va += PAGE) this.unmapPage(va);
        this.brk = addr;
      }
      return this.brk;
    });
    def('mmap', ([, len]) => {
      const size = Math.ceil(len / PAGE) * PAGE;
      this.mmapNext -= size;
      this.mmaps.push({ start: this.mmapNext, end: this.mmapNext + size });
      return this.mmapNext;
    });
    def('munmap', ([addr, len]) => {
      const i = this.mmaps.findIndex((r) => r.start === addr && r.end === addr + Math.ceil(len / PAGE) * PAGE);
      if (i < 0) return -22;
      this.mmaps.splice(i, 1);
      for (let va = addr; va < addr + len; va += PAGE) this.unmapPage(va);
      return 0;
    });
    def('getpid', () => this.pid);
    def('getppid', () => 1);
    def('getuid', () => 0);
    def('geteuid', () => 0);
    def('getgid', () => 0);
    def('kill', ([pid, sig]) => {
      if (pid === this.pid && sig !== 0) this.kill(this.thread, sig);
      return 0;
    });
    def('exit_group', ([status]) => {
      this.exitStatus = status & 0xff;
      this.thread.state = 'dead';
      return 0;
    });
    def('rt_sigaction', () => 0);
    def('rt_sigprocmask', () => 0);
    def('nanosleep', () => 0);
    def('ioctl', ([fd, req], raw) => (fd === 1 && req === 0x5401 ? Number(raw[2]) : -25));
    def('fcntl', () => 2);
  }

  // ---- driving routines --------------------------------------------------------------------------

  routine(name: string): NativeRoutine {
    const r = this.libc.routines.get(name);
    if (!r) throw new Error(`no libc routine ${name}`);
    return r;
  }

  /** Calls a libc routine as C would; doubles among variadic arguments are flagged by index. */
  call(name: string, args: Value[] = [], doubleArgs: number[] = []): CallResult {
    const real = this.routine(name);
    const argIsDouble = args.map((_, i) => doubleArgs.includes(i));
    // Always a generator, so that the executor reports the value of a synchronous routine too.
    const entry: NativeRoutine = {
      ...real,
      *impl(ctx, a) {
        const r = real.impl({ ...ctx, argIsDouble }, a);
        if (typeof r === 'object' && r !== null && !(r instanceof Uint8Array)) return yield* r;
        return r;
      },
    };
    if (this.thread.state === 'dead' && this.signal === undefined && this.exitStatus === undefined) this.thread.state = 'runnable';
    this.result = undefined;
    this.exec.start(this.thread, entry, args);
    for (let i = 0; i < 1000 && this.thread.state === 'runnable'; i++) {
      const outcome = this.exec.run(this.thread, 1_000_000);
      if (outcome === 'dead') break;
    }
    if (this.internalErrors.length) throw this.internalErrors[0];
    if (this.signal !== undefined || this.exitStatus !== undefined) {
      return { value: this.result, signal: this.signal, exitStatus: this.exitStatus };
    }
    if (this.thread.frames.length !== 0) throw new Error(`${name} did not finish (state ${this.thread.state})`);
    this.thread.state = 'runnable';
    return { value: this.result };
  }

  /** The value of a call that must return normally. */
  v(name: string, args: Value[] = [], doubleArgs: number[] = []): Value {
    const r = this.call(name, args, doubleArgs);
    if (r.signal !== undefined || r.exitStatus !== undefined) throw new Error(`${name} ended the process: ${JSON.stringify(r)}`);
    return r.value ?? 0;
  }

  /** A C function the libc can call back; `impl` gets the raw arguments. */
  cFunction(name: string, impl: (args: Value[]) => Value | undefined | NativeGen): number {
    const va = this.nextFunctionVa;
    this.nextFunctionVa += 16;
    this.functions.set(va, { kind: 'native', name, address: va, paramNames: [], mode: MODE_USER, impl: (_ctx, a) => impl(a) });
    return va;
  }

  // ---- test memory -------------------------------------------------------------------------------

  /** Reserves bytes in the scratch region without touching them (their pages fault on first use). */
  reserve(n: number, align = 16): number {
    this.scratchNext = Math.ceil(this.scratchNext / align) * align;
    const va = this.scratchNext;
    this.scratchNext += n;
    return va;
  }

  poke(va: number, bytes: Uint8Array | number[]): void {
    const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    for (let page = va - (va % PAGE); page < va + b.length; page += PAGE) this.mapPage(page);
    this.cpu.writeBytes(va, b, MODE_KERNEL);
  }

  peek(va: number, n: number): Uint8Array {
    return this.cpu.readBytes(va, n, MODE_KERNEL);
  }

  str(s: string): number {
    const b = enc.encode(s);
    const va = this.reserve(b.length + 1);
    this.poke(va, [...b, 0]);
    return va;
  }

  cstr(va: number): string {
    let s = '';
    for (let i = 0; ; i++) {
      const c = this.peek(va + i, 1)[0];
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }

  /** A pointer-sized word of the ABI. */
  word(va: number): number {
    if (this.ptrBytes === 4) return this.cpu.r32(va, MODE_KERNEL);
    const v = this.cpu.r64(va, MODE_KERNEL);
    return typeof v === 'number' ? v : Number(v);
  }

  i32(va: number): number {
    return this.cpu.r32s(va, MODE_KERNEL);
  }

  output(fd: number): string {
    return String.fromCharCode(...(this.written.get(fd) ?? []));
  }

  /** Lays out 8-byte va_list slots, as the executor does for a variadic C function. */
  vaList(values: { v: number | bigint; double?: boolean }[]): number {
    const va = this.reserve(8 * Math.max(1, values.length), 8);
    this.poke(va, new Uint8Array(8 * Math.max(1, values.length)));
    values.forEach((x, i) => {
      if (x.double) this.cpu.wf64(va + 8 * i, x.v as number, MODE_KERNEL);
      else this.cpu.w64(va + 8 * i, x.v, MODE_KERNEL);
    });
    return va;
  }
}
