/**
 * exec of a user program: a fresh mm with the program's segments as file-backed VMAs (text r-x,
 * rodata r--, data rw-, bss anonymous), the C library mapped like a shared object below
 * mmap_base, an empty heap at the end of bss, and a [stack] VMA whose top holds argv and envp
 * the way the kernel's exec lays them out. The thread starts in __libc_start_main, which calls
 * main and then exit with its return value.
 */
import { PAGE_SIZE } from '../machine/physmem';
import { MODE_USER } from '../machine/tlb';
import type { Callable, CompiledFunction, NativeGen, NativeRoutine } from '../exec/types';
import type { Thread } from '../exec/thread';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import { VM_ACCOUNT, VM_DENYWRITE, VM_EXEC, VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE, protectionMap, type Mm } from './mm';
import { call } from './routines';
import type { Credentials, Task } from './task';
import { _PAGE_DIRTY, _PAGE_RW } from './pgtable';

/** The C library as the kernel sees it: routines to place, private data to map, a hook at exec. */
export interface UserRuntime {
  readonly routines: ReadonlyMap<string, NativeRoutine>;
  readonly objects: ReadonlyMap<string, { offsetInData: number; sizeBytes: number }>;
  attach(init: { thread: Thread; dataVa: number; programName?: string }): void;
}

export interface UserImage {
  /** Path shown in /proc/PID/maps and used for comm. */
  path: string;
  sections: { name: string; start: I64; sizeBytes: number; bytes: Uint8Array; writable: boolean; executable: boolean }[];
  functions: CompiledFunction[];
  main: Callable;
}

const STACK_INITIAL_BYTES = 0x21000;
const LIBC_PATH = '/lib/x86_64-linux-gnu/libc-2.15.so';

export class Binfmt {
  runtime: UserRuntime | undefined;
  runtimeTextVa = 0;
  runtimeDataVa = 0;
  runtimeTextBytes = 0;
  runtimeDataBytes = 0;
  private readonly startMain: NativeRoutine;

  constructor(private readonly k: Kernel) {
    this.startMain = {
      kind: 'native',
      name: '__libc_start_main',
      address: 0,
      paramNames: ['main', 'argc', 'argv', 'envp'],
      mode: MODE_USER,
      impl: (_ctx, a) => this.libcStartMain(a[0] as I64, a[1] as number, a[2] as I64, a[3] as I64),
    };
  }

  get libcPath(): string {
    return this.k.arch.vaBits === 64 ? LIBC_PATH : '/lib/i386-linux-gnu/libc-2.15.so';
  }

  /** Places the C library's routines at addresses in its text, just below mmap_base. */
  setRuntime(rt: UserRuntime, dataBytes: number): void {
    this.runtime = rt;
    const routines = [this.startMain, ...rt.routines.values()];
    this.runtimeTextBytes = Math.ceil((routines.length * 0x40) / PAGE_SIZE) * PAGE_SIZE;
    this.runtimeDataBytes = Math.ceil(Math.max(dataBytes, 1) / PAGE_SIZE) * PAGE_SIZE;
    const top = this.k.arch.layout.mmapBase as number;
    this.runtimeDataVa = top - this.runtimeDataBytes;
    this.runtimeTextVa = this.runtimeDataVa - this.runtimeTextBytes;
    routines.forEach((r, i) => {
      r.address = this.runtimeTextVa + i * 0x40;
      this.k.functions.set(r.address as number, r);
    });
  }

  /** Creates the process for a linked program; it starts running at the next schedule. */
  spawn(image: UserImage, args: string[], cred: Credentials): Task {
    const k = this.k;
    const base = image.path.split('/').pop()!.replace(/\.c$/, '');
    const task = k.newTask(base.slice(0, 15), 'user', cred, k.idle);
    const mm = k.mmSub.createMm();
    task.setMm(mm, mm);
    k.switchTo(task);
    const exePath = `/lab/${base}`;
    const exe = k.vfs.pseudoFile(exePath);
    let end = 0;
    for (const s of image.sections) {
      if (s.sizeBytes === 0) continue;
      const start = s.start as number;
      const len = Math.ceil(s.sizeBytes / PAGE_SIZE) * PAGE_SIZE;
      const flags = VM_READ | (s.writable ? VM_WRITE : 0) | (s.executable ? VM_EXEC : 0) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | (s.executable ? VM_DENYWRITE : 0);
      const fileOff = Math.floor((start - (image.sections[0].start as number)) / PAGE_SIZE);
      if (s.name === '.bss') k.mmSub.insertSpecial(mm, start, start + len, flags | VM_ACCOUNT, undefined);
      else k.mmSub.insertSpecial(mm, start, start + len, flags, undefined, exe, fileOff);
      if (s.name === '.rodata' || s.name === '.data') this.populate(mm, start, s.bytes, flags);
      end = Math.max(end, start + len);
    }
    k.vfs.putFileNoRelease(exe);
    mm.set('start_code', image.sections[0].start);
    mm.set('end_code', (image.sections[0].start as number) + image.sections[0].sizeBytes);
    const data = image.sections.find((s) => s.name === '.data');
    if (data) {
      mm.set('start_data', data.start);
      mm.set('end_data', (data.start as number) + data.sizeBytes);
    }
    mm.set('start_brk', end);
    mm.set('brk', end);
    this.mapRuntime(mm);
    const { sp, argv, envp } = this.setupStack(task, mm, [exePath, ...args]);
    task.thread.usp = sp;
    k.vfs.openConsole(task);
    task.program = { path: image.path, args, stdout: [], stderr: [], exitCode: undefined, signal: undefined };
    for (const f of image.functions) mm.userFunctions.set(f.address as number, f);
    this.runtime?.attach({ thread: task.thread, dataVa: this.runtimeDataVa, programName: exePath });
    k.exec.start(task.thread, this.startMain, [image.main.address, args.length + 1, argv, envp]);
    return task;
  }

  /** Allocates, fills and maps the pages of a segment now (exec reads the file eagerly here). */
  private populate(mm: Mm, start: number, bytes: Uint8Array, vmFlags: number): void {
    const k = this.k;
    const prot = protectionMap(vmFlags & 0xf);
    for (let off = 0; off < bytes.length || off === 0; off += PAGE_SIZE) {
      const pfn = k.pages.alloc(0, 0x2 | 0x8000, 'user-image')!;
      k.mem.writeBytes(pfn * PAGE_SIZE, bytes.subarray(off, off + PAGE_SIZE));
      const pte = k.pt.entryFor(mm.pgdPa, start + off, 'pte', 'user')!;
      k.pages.addMapcount(pfn, 1);
      k.pt.write(pte, k.pt.mkEntry(pfn, vmFlags & VM_WRITE ? prot | _PAGE_RW | _PAGE_DIRTY : prot));
      if (off + PAGE_SIZE >= bytes.length) break;
    }
  }

  /** The C library's text and data, mapped from its file below mmap_base (as ld.so would). */
  private mapRuntime(mm: Mm): void {
    if (!this.runtime) return;
    const k = this.k;
    const lib = k.vfs.pseudoFile(this.libcPath);
    k.mmSub.insertSpecial(mm, this.runtimeTextVa, this.runtimeTextVa + this.runtimeTextBytes, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, undefined, lib, 0);
    const dataFlags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
    k.mmSub.insertSpecial(mm, this.runtimeDataVa, this.runtimeDataVa + this.runtimeDataBytes, dataFlags, undefined, lib, this.runtimeTextBytes / PAGE_SIZE);
    k.vfs.putFileNoRelease(lib);
    for (let off = 0; off < this.runtimeDataBytes; off += PAGE_SIZE) this.populate(mm, this.runtimeDataVa + off, new Uint8Array(0), dataFlags);
  }

  /**
   * The initial stack: strings at the top (argv, then envp), then the envp and argv pointer
   * arrays and argc below them, sp 16-byte aligned — the layout create_elf_tables leaves.
   */
  private setupStack(task: Task, mm: Mm, argv: string[]): { sp: number; argv: number; envp: number } {
    const k = this.k;
    const top = k.arch.layout.stackTop as number;
    const flags = VM_GROWSDOWN | VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
    k.mmSub.insertSpecial(mm, top - STACK_INITIAL_BYTES, top, flags, '[stack]');
    const ptr = k.arch.abi.ptrBytes;
    const env = ['HOME=/root', 'PATH=/usr/bin:/bin', 'TERM=dumb'];
    const strings: number[] = [];
    const argPtrs: number[] = [];
    const envPtrs: number[] = [];
    let cursor = top - ptr;
    const place = (s: string) => {
      const bytes = new TextEncoder().encode(s + '\0');
      cursor -= bytes.length;
      strings.push(cursor);
      return { at: cursor, bytes };
    };
    const blobs: { at: number; bytes: Uint8Array }[] = [];
    for (let i = env.length - 1; i >= 0; i--) {
      const b = place(env[i]);
      envPtrs.unshift(b.at);
      blobs.push(b);
    }
    for (let i = argv.length - 1; i >= 0; i--) {
      const b = place(argv[i]);
      argPtrs.unshift(b.at);
      blobs.push(b);
    }
    mm.set('arg_start', argPtrs[0]);
    mm.set('arg_end', envPtrs[0]);
    mm.set('env_start', envPtrs[0]);
    mm.set('env_end', top - ptr);
    let sp = cursor - (cursor % 16);
    const words = [argv.length, ...argPtrs, 0, ...envPtrs, 0, 0, 0];
    sp -= words.length * ptr;
    sp -= sp % 16;
    mm.set('start_stack', sp);
    const lowPage = sp - (sp % PAGE_SIZE);
    const image = new Uint8Array(top - lowPage);
    const view = new DataView(image.buffer);
    for (const b of blobs) image.set(b.bytes, b.at - lowPage);
    words.forEach((w, i) => {
      const at = sp - lowPage + i * ptr;
      if (ptr === 8) view.setBigUint64(at, BigInt(w), true);
      else view.setUint32(at, w, true);
    });
    const vmFlags = VM_READ | VM_WRITE;
    for (let off = 0; off < image.length; off += PAGE_SIZE) this.populate(mm, lowPage + off, image.subarray(off, off + PAGE_SIZE), vmFlags);
    void task;
    return { sp, argv: sp + ptr, envp: sp + ptr * (argv.length + 2) };
  }

  private *libcStartMain(main: I64, argc: number, argv: I64, envp: I64): NativeGen {
    const ret = (yield* call(main, argc, argv, envp)) as number;
    const exit = this.runtime?.routines.get('exit');
    if (exit) yield* call(exit, ret);
    const k = this.k;
    return yield* call(k.routines.must('sys_exit_group'), ret);
  }
}
