/**
 * The kernel's routines: TypeScript functions with Linux names and kernel text addresses. Exported
 * ones are what a driver links against (its header declares them); internal ones (do_page_fault,
 * handle_mm_fault, sys_*) are never linkable but appear in call stacks, kallsyms and as targets of
 * function breakpoints.
 */
import { MODE_KERNEL } from '../machine/tlb';
import type { NativeContext, NativeGen, NativeRoutine, Value } from '../exec/types';

export type RoutineImpl = (args: Value[], ctx: NativeContext) => Value | undefined | NativeGen;

export interface KernelRoutine extends NativeRoutine {
  /** Drivers may link against it. */
  exported: boolean;
  /** Has an exception-table entry: a fault it asks the handler about may be fixed up. */
  fixup: boolean;
  sizeBytes: number;
}

export class RoutineTable {
  private readonly byName = new Map<string, KernelRoutine>();
  private next: number;

  constructor(private readonly textStart: number) {
    this.next = textStart;
  }

  define(name: string, paramNames: string[], impl: RoutineImpl, opts: { exported?: boolean; fixup?: boolean; sizeBytes?: number } = {}): KernelRoutine {
    if (this.byName.has(name)) throw new Error(`kernel routine ${name} defined twice`);
    const sizeBytes = opts.sizeBytes ?? 0x80;
    const r: KernelRoutine = {
      kind: 'native',
      name,
      address: this.next,
      paramNames,
      mode: MODE_KERNEL,
      impl: (ctx, args) => impl(args, ctx),
      visible: true,
      exported: opts.exported ?? true,
      fixup: opts.fixup ?? false,
      sizeBytes,
    };
    this.next += sizeBytes;
    this.byName.set(name, r);
    return r;
  }

  get(name: string): KernelRoutine | undefined {
    return this.byName.get(name);
  }

  must(name: string): KernelRoutine {
    const r = this.byName.get(name);
    if (!r) throw new Error(`no kernel routine ${name}`);
    return r;
  }

  all(): KernelRoutine[] {
    return [...this.byName.values()];
  }

  get endAddress(): number {
    return this.next;
  }
}

/** A generator step that calls a routine or a C function and returns its result. */
export function* call(target: NativeRoutine | number | bigint, ...args: Value[]): NativeGen {
  return yield { kind: 'call', target, args };
}
