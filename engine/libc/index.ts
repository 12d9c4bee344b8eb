/**
 * The user-space C library: every routine a program may call without defining it, as native
 * routines bound by name to the declarations in headers.ts, and the per-process state they share.
 * Like a real libc it reaches the kernel only through system calls (port.ts); its data (errno,
 * FILE structures, the heap) lives in the process's memory.
 */
import type { NativeRoutine } from '../exec/types';
import { MODE_USER } from '../machine/cpu';
import { defineAlloc } from './alloc';
import { defineCtype } from './ctype';
import { defineExit } from './exit';
import { stdPointerOffset } from './layout';
import { defineMath } from './math';
import type { LibcHost, LibcProcessInit } from './port';
import { LibcProcess, ProcessTable } from './process';
import { signature, type DefineRoutine } from './routine';
import { defineSignals } from './signal';
import { defineSort } from './sort';
import { defineStdioFiles } from './stdio/files';
import { defineStdioIo } from './stdio/io';
import { definePrintf } from './stdio/printf';
import { defineScanf } from './stdio/scanf';
import { defineStdlib } from './stdlib';
import { defineString } from './string';
import { defineSyscalls } from './syscalls';

export { LIBC_DATA_BYTES } from './layout';
export { FIXED_EPOCH_SECONDS } from './syscalls';

export interface LibcAttachOptions extends LibcProcessInit {
  /** argv[0]; its last path component is glibc's __progname (assert's message). Default "a.out". */
  programName?: string;
}

const STANDARD_STREAMS = ['stdin', 'stdout', 'stderr'] as const;

export class Libc {
  /** Every routine by its C name; the kernel assigns `address` values. */
  readonly routines: ReadonlyMap<string, NativeRoutine>;
  /** Libc objects a program may name (stdin, stdout, stderr): name → offset in the data area. */
  readonly objects: ReadonlyMap<string, { offsetInData: number; sizeBytes: number }>;
  private readonly processes = new ProcessTable();

  constructor(private readonly host: LibcHost) {
    const routines = new Map<string, NativeRoutine>();
    const processes = this.processes;
    const def: DefineRoutine = (sig, impl) => {
      const { name, params } = signature(sig);
      if (routines.has(name)) throw new Error(`libc: ${name} is defined twice`);
      const routine: NativeRoutine = {
        kind: 'native',
        name,
        address: 0,
        paramNames: params.filter((x) => x !== '...'),
        mode: MODE_USER,
        impl: (ctx, args) => impl(processes.of(ctx.thread), args, ctx),
      };
      routines.set(name, routine);
      return routine;
    };
    def('__errno_location()', (p) => p.errnoVa);
    definePrintf(def);
    defineScanf(def);
    defineStdioIo(def);
    defineStdioFiles(def);
    defineAlloc(def);
    defineStdlib(def);
    defineSort(def);
    defineExit(def);
    defineString(def);
    defineCtype(def);
    defineMath(def);
    defineSyscalls(def);
    defineSignals(def);
    this.routines = routines;
    this.objects = new Map(
      STANDARD_STREAMS.map((name, i) => [name, { offsetInData: stdPointerOffset(i as 0 | 1 | 2, host.ptrBytes), sizeBytes: host.ptrBytes }]),
    );
  }

  /**
   * A process starts (exec): its libc state is created and the initial data written (the
   * standard FILE structures and the stdin/stdout/stderr pointers). The data area must already
   * be mapped and the process's page tables loaded: these writes happen before any code runs
   * and cannot wait for a page fault.
   */
  attach(init: LibcAttachOptions): void {
    const name = init.programName ?? 'a.out';
    const p = new LibcProcess(this.host, init.thread, init.dataVa, name.slice(name.lastIndexOf('/') + 1));
    p.stdio.initStandardStreams();
    this.processes.add(p);
  }
}
