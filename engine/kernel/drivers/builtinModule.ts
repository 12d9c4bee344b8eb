/**
 * A loadable module whose code is TypeScript: it gets module_alloc'd memory in the modules area
 * like a compiled driver (text, then rodata, then data and bss, each on its own pages with the
 * protection load_module gives them), its functions are callable routines at addresses in its
 * text, its objects live in its data pages, and kallsyms lists both as `[name]` symbols.
 * Unloading gives all of that back.
 *
 * It is not on the modules list (so not in /proc/modules or an oops's "Modules linked in"):
 * those show the lab's own drivers, and their expected texts were written without it.
 */
import { MODE_KERNEL } from '../../machine/tlb';
import { PAGE_SIZE } from '../../machine/physmem';
import type { NativeRoutine } from '../../exec/types';
import type { Kernel } from '../kernel';
import type { LoadedModule } from '../module';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW } from '../pgtable';
import type { RoutineImpl } from '../routines';

export interface BuiltinFunction {
  name: string;
  paramNames: string[];
  impl: RoutineImpl;
  sizeBytes: number;
}

export interface BuiltinObject {
  name: string;
  sizeBytes: number;
  section: 'rodata' | 'data' | 'bss';
}

/** The state a module's struct module has once its init has run (MODULE_STATE_LIVE). */
const MODULE_STATE_LIVE = 0;
const OBJECT_ALIGN = 16;

const NM_TYPE: Record<BuiltinObject['section'], string> = { rodata: 'r', data: 'd', bss: 'b' };

function pageRound(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export class BuiltinModule {
  readonly mod: LoadedModule;
  private readonly routines = new Map<string, NativeRoutine>();
  private readonly objects = new Map<string, number>();

  constructor(private readonly k: Kernel, name: string, license: string, functions: BuiltinFunction[], objects: BuiltinObject[]) {
    const textBytes = pageRound(functions.reduce((n, f) => n + f.sizeBytes, 0));
    const sectionBytes = (s: BuiltinObject['section']) => objects.filter((o) => o.section === s).reduce((n, o) => alignUp(n, OBJECT_ALIGN) + o.sizeBytes, 0);
    const rodataBytes = pageRound(sectionBytes('rodata'));
    const dataBytes = pageRound(sectionBytes('data') + OBJECT_ALIGN + sectionBytes('bss'));
    this.mod = k.modules.prepare(name, textBytes + rodataBytes + dataBytes);
    const base = this.mod.base;
    let at = base;
    for (const f of functions) {
      const r: NativeRoutine = { kind: 'native', name: f.name, address: at, paramNames: f.paramNames, mode: MODE_KERNEL, impl: (ctx, args) => f.impl(args, ctx), visible: true };
      this.routines.set(f.name, r);
      k.registerFunction(r);
      k.kallsyms.add({ name: f.name, address: at, sizeBytes: f.sizeBytes, type: 't', module: name });
      at += f.sizeBytes;
    }
    const place = (section: BuiltinObject['section'], from: number): number => {
      let p = from;
      for (const o of objects.filter((x) => x.section === section)) {
        p = alignUp(p, OBJECT_ALIGN);
        this.objects.set(o.name, p);
        k.kallsyms.add({ name: o.name, address: p, sizeBytes: o.sizeBytes, type: NM_TYPE[section], module: name });
        p += o.sizeBytes;
      }
      return p;
    };
    place('rodata', base + textBytes);
    place('bss', place('data', base + textBytes + rodataBytes));
    this.protect(base, textBytes, rodataBytes, dataBytes);
    this.mod.license = license;
    this.mod.taint = '';
    this.mod.state = 'live';
    this.mod.initReturn = 0;
    k.structs.get('module').set(this.mod.thisModuleVa, 'state', MODULE_STATE_LIVE);
  }

  /** Text read-only and executable, rodata read-only, data writable; none of it user-visible. */
  private protect(base: number, textBytes: number, rodataBytes: number, dataBytes: number): void {
    const k = this.k;
    const present = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL;
    k.vmalloc.protectPages(base, textBytes, present);
    k.vmalloc.protectPages(base + textBytes, rodataBytes, present | _PAGE_NX);
    k.vmalloc.protectPages(base + textBytes + rodataBytes, dataBytes, present | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX);
    k.memory.flushTlbKernelRange(base, base + textBytes + rodataBytes + dataBytes);
  }

  fn(name: string): NativeRoutine {
    const r = this.routines.get(name);
    if (!r) throw new Error(`${this.mod.name} has no function ${name}`);
    return r;
  }

  addressOf(name: string): number {
    const r = this.routines.get(name);
    if (r) return r.address as number;
    const o = this.objects.get(name);
    if (o === undefined) throw new Error(`${this.mod.name} has no symbol ${name}`);
    return o;
  }

  get loaded(): boolean {
    return this.mod.state === 'live';
  }

  /** What free_module does: symbols, functions, memory and the /proc/modules line go. */
  unload(): void {
    const k = this.k;
    this.mod.state = 'going';
    for (const r of this.routines.values()) k.functions.delete(r.address as number);
    k.kallsyms.removeModule(this.mod.name);
    k.vmalloc.moduleFree(this.mod.base);
  }
}
