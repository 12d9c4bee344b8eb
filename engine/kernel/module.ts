/**
 * Loadable modules: module_alloc'd memory in the modules area with per-section protections,
 * struct module (THIS_MODULE), symbol resolution against the kernel's exports and other modules'
 * EXPORT_SYMBOLs, module parameters, the license taint, init in the context of an insmod task,
 * and unload with a kmemleak-style report of what the module left behind.
 */
import type { Callable, CompiledFunction, NativeGen } from '../exec/types';
import type { I64 } from '../util/int64';
import { errnoName, EBUSY } from './errno';
import { UNEMULATED_KERNEL_ROUTINES } from './include/linux';
import type { Kernel } from './kernel';
import { reportLeaks } from './kmemleak';
import { call } from './routines';
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW } from './pgtable';
import type { Task } from './task';

/** What the session hands the kernel after compiling and linking a driver. */
export interface LoadableImage {
  unit: string;
  sections: { name: string; start: I64; sizeBytes: number; bytes: Uint8Array; writable: boolean; executable: boolean }[];
  symbols: { name: string; address: I64; sizeBytes: number; kind: 'func' | 'object'; global: boolean; section: string }[];
  functions: CompiledFunction[];
}

export type ExternalSymbol = { kind: 'func'; callable: Callable; address: I64 } | { kind: 'object'; address: I64 };

export interface LoadedModule {
  name: string;
  base: number;
  sizeBytes: number;
  thisModuleVa: number;
  image: LoadableImage | undefined;
  /** Exported symbols (EXPORT_SYMBOL), name → address. */
  exports: Map<string, number>;
  state: 'coming' | 'live' | 'going' | 'failed';
  taint: string;
  license: string;
  initReturn: number | undefined;
}

const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export class Modules {
  readonly loaded: LoadedModule[] = [];

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('sys_init_module', ['umod', 'len', 'uargs'], (_a, ctx) => this.initModule(this.k.taskOf(ctx.thread)), { exported: false });
    r.define('do_one_initcall', ['fn'], (a) => this.doOneInitcall(a[0] as number), { exported: false });
    r.define('sys_delete_module', ['name_user', 'flags'], (_a, ctx) => this.deleteModule(this.k.taskOf(ctx.thread)), { exported: false });
  }

  /** Reserves memory for a module and its struct module; linking comes next. */
  prepare(name: string, sizeBytes: number): LoadedModule {
    const M = this.k.structs.get('module');
    const thisModuleVa = this.k.slab.kmallocNoTrack(M.sizeBytes, 'module');
    const base = this.k.vmalloc.moduleAlloc(sizeBytes, name);
    if (!base) throw new Error(`no room in the modules area for ${name}`);
    M.set(thisModuleVa, 'state', 1);
    this.k.km.writeCString(M.addr(thisModuleVa, 'name'), name.slice(0, 55));
    M.set(thisModuleVa, 'module_core', base);
    M.set(thisModuleVa, 'core_size', sizeBytes);
    const l = M.addr(thisModuleVa, 'list');
    this.k.km.wptr(l, l);
    this.k.km.wptr(l + this.k.arch.abi.ptrBytes, l);
    const mod: LoadedModule = { name, base, sizeBytes, thisModuleVa, image: undefined, exports: new Map(), state: 'coming', taint: 'O', license: 'unspecified', initReturn: undefined };
    return mod;
  }

  /** Resolves a name a module uses but does not define. */
  lookupExternal(name: string, mod: LoadedModule): ExternalSymbol | undefined {
    if (name === '__this_module') return { kind: 'object', address: mod.thisModuleVa };
    if (name === 'jiffies' || name === 'jiffies_64') return { kind: 'object', address: this.k.jiffiesVa };
    const r = this.k.routines.get(name);
    if (r && r.exported) return { kind: 'func', callable: r, address: r.address };
    for (const m of this.loaded) {
      const a = m.exports.get(name);
      if (a === undefined) continue;
      const f = this.k.functions.get(a);
      return f ? { kind: 'func', callable: f, address: a } : { kind: 'object', address: a };
    }
    return undefined;
  }

  explainMissing(name: string): string {
    const r = this.k.routines.get(name);
    if (r && !r.exported) return `'${name}' is not exported to modules (Unknown symbol ${name})`;
    if (UNEMULATED_KERNEL_ROUTINES.has(name)) return `'${name}' is a Linux kernel routine that kmemlab does not emulate`;
    return `undefined reference to '${name}' (Unknown symbol ${name})`;
  }

  /** Copies the linked image into place and makes it callable; returns the module. */
  install(mod: LoadedModule, image: LoadableImage, params: Record<string, string | number | boolean> = {}): LoadedModule {
    const k = this.k;
    mod.image = image;
    const text = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL;
    for (const s of image.sections) {
      if (s.sizeBytes === 0) continue;
      k.km.writeBytes(s.start, s.bytes);
      const prot = s.executable ? text : s.writable ? text | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX : text | _PAGE_NX;
      k.vmalloc.protectPages(s.start as number, s.sizeBytes, prot);
    }
    k.memory.flushTlbKernelRange(mod.base, mod.base + mod.sizeBytes);
    for (const f of image.functions) k.registerFunction(f);
    for (const s of image.symbols) {
      if (s.section === '.modinfo' || s.section.startsWith('__') || s.section === '.initcall' || s.section === '.exitcall') continue;
      const type = s.kind === 'func' ? 'T' : s.section === '.bss' ? 'B' : s.section === '.rodata' ? 'R' : 'D';
      k.kallsyms.add({ name: s.name, address: s.address as number, sizeBytes: s.sizeBytes, type: s.global ? type : type.toLowerCase(), module: mod.name });
    }
    for (const s of image.symbols.filter((x) => x.section === '__ksymtab' || x.section === '__ksymtab_gpl')) {
      const target = k.km.rptr(s.address) as number;
      mod.exports.set(s.name.replace(/^__ksymtab_(gpl_)?/, ''), target);
    }
    for (const s of image.symbols.filter((x) => x.section === '.modinfo')) {
      const info = k.km.readCString(s.address, 256);
      if (info.startsWith('license=')) mod.license = info.slice(8);
    }
    this.applyParams(mod, image, params);
    if (!GPL_COMPATIBLE.has(mod.license)) {
      mod.taint += 'P';
      k.printk(`\x014${mod.name}: module license '${mod.license}' taints kernel.\n`);
      k.printk('\x014Disabling lock debugging due to kernel taint\n');
    }
    this.loaded.push(mod);
    return mod;
  }

  private applyParams(mod: LoadedModule, image: LoadableImage, params: Record<string, string | number | boolean>): void {
    const k = this.k;
    const declared = new Map<string, { variable: string; type: string }>();
    for (const s of image.symbols.filter((x) => x.section === '__param')) {
      const parts = k.km.readCString(s.address, 256).split(':');
      declared.set(parts[2] ?? parts[0], { variable: parts[0], type: parts[1] ?? 'int' });
    }
    for (const [name, value] of Object.entries(params)) {
      const d = declared.get(name);
      if (!d) {
        k.printk(`\x014${mod.name}: Unknown parameter \`${name}'\n`);
        continue;
      }
      const sym = image.symbols.find((s) => s.name === d.variable);
      if (!sym) continue;
      const a = sym.address;
      switch (d.type) {
        case 'charp': {
          const str = String(value);
          const va = k.slab.kmallocNoTrack(str.length + 1, 'param');
          k.km.writeCString(va, str);
          k.km.wptr(a, va);
          break;
        }
        case 'bool':
        case 'invbool':
        case 'byte':
          k.km.w8(a, value === true || value === 'y' || value === 'Y' || Number(value) === 1 ? (d.type === 'invbool' ? 0 : 1) : d.type === 'byte' ? Number(value) : d.type === 'invbool' ? 1 : 0);
          break;
        case 'short':
        case 'ushort':
          k.km.w16(a, Number(value));
          break;
        case 'long':
        case 'ulong':
          k.km.wptr(a, Number(value));
          break;
        default:
          k.km.w32(a, Number(value));
      }
    }
  }

  /** The init/exit function a module registered with module_init/module_exit. */
  private hook(mod: LoadedModule, name: '__kmemlab_module_init' | '__kmemlab_module_exit'): number {
    const s = mod.image?.symbols.find((x) => x.name === name);
    return s ? (this.k.km.rptr(s.address) as number) : 0;
  }

  /** Creates the task that loads `mod` (like insmod calling init_module). */
  spawnInsmod(mod: LoadedModule): Task {
    const k = this.k;
    const t = k.newTask('insmod', 'user', { uid: 0, gid: 0, euid: 0, egid: 0 }, k.idle);
    const mm = k.mmSub.createMm();
    t.setMm(mm, mm);
    this.pending.set(t.pid, mod);
    k.exec.start(t.thread, k.routines.must('sys_init_module'), [0, 0, 0]);
    return t;
  }

  private readonly pending = new Map<number, LoadedModule>();

  private *initModule(task: Task): NativeGen {
    const mod = this.pending.get(task.pid)!;
    this.pending.delete(task.pid);
    const init = this.hook(mod, '__kmemlab_module_init');
    let ret = 0;
    if (init) ret = (yield* call(this.k.routines.must('do_one_initcall'), init)) as number;
    mod.initReturn = ret;
    if (ret < 0) {
      this.k.printk(`\x016kmemlab: insmod ${mod.name}: init returned ${ret} (${errnoName(ret)}); the module is not loaded\n`);
      this.discard(mod);
      mod.state = 'failed';
      return yield* this.k.sched.doExit(task, 1, undefined);
    }
    mod.state = 'live';
    this.k.structs.get('module').set(mod.thisModuleVa, 'state', 0);
    return yield* this.k.sched.doExit(task, 0, undefined);
  }

  private *doOneInitcall(fn: number): NativeGen {
    const ret = (yield* call(fn)) as number;
    if (ret > 0) {
      const name = this.k.kallsyms.lookup(fn)?.name ?? '?';
      this.k.printk(`\x014${name}: init suspiciously returned ${ret}, it should follow 0/-E convention\n`);
      this.k.oops.dumpStack(this.k.current, '');
    }
    return ret;
  }

  /** Creates the task that unloads `mod` (rmmod). */
  spawnRmmod(mod: LoadedModule): Task {
    const k = this.k;
    const t = k.newTask('rmmod', 'user', { uid: 0, gid: 0, euid: 0, egid: 0 }, k.idle);
    const mm = k.mmSub.createMm();
    t.setMm(mm, mm);
    this.pending.set(t.pid, mod);
    k.exec.start(t.thread, k.routines.must('sys_delete_module'), [0, 0]);
    return t;
  }

  private *deleteModule(task: Task): NativeGen {
    const mod = this.pending.get(task.pid)!;
    this.pending.delete(task.pid);
    const exit = this.hook(mod, '__kmemlab_module_exit');
    if (!exit && this.hook(mod, '__kmemlab_module_init')) {
      this.k.printk(`\x016kmemlab: rmmod ${mod.name}: the module has no exit function and cannot be unloaded\n`);
      return yield* this.k.sched.doExit(task, -EBUSY & 0xff, undefined);
    }
    mod.state = 'going';
    if (exit) yield* call(exit);
    this.reportLeftovers(mod);
    this.discard(mod);
    return yield* this.k.sched.doExit(task, 0, undefined);
  }

  /** kmemleak at unload: objects and registrations the module never gave back. */
  private reportLeftovers(mod: LoadedModule): void {
    const k = this.k;
    reportLeaks(k, mod.name);
    for (const what of k.vfs.forgetOwner(mod.name)) k.printk(`\x014kmemlab: ${mod.name} was unloaded with ${what} still registered\n`);
  }

  private discard(mod: LoadedModule): void {
    const k = this.k;
    for (const f of mod.image?.functions ?? []) k.functions.delete(f.address as number);
    k.kallsyms.removeModule(mod.name);
    k.vmalloc.moduleFree(mod.base);
    const i = this.loaded.indexOf(mod);
    if (i >= 0) this.loaded.splice(i, 1);
  }

  find(name: string): LoadedModule | undefined {
    return this.loaded.find((m) => m.name === name);
  }
}
