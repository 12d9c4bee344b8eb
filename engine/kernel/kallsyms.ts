/**
 * kallsyms: every symbol with an address — kernel routines and data, and each loaded module's
 * functions and objects — for /proc/kallsyms (in its exact format), %pS, oops call traces and
 * the debugger's `ksyms` command.
 */
import type { Kernel } from './kernel';

export interface KSym {
  name: string;
  address: number;
  sizeBytes: number;
  /** nm-style type letter: T/t text, D/d data, B/b bss, R/r rodata. */
  type: string;
  module?: string;
}

export class Kallsyms {
  private syms: KSym[] = [];
  private sorted = true;

  constructor(private readonly k: Kernel) {
    for (const r of k.routines.all()) this.add({ name: r.name, address: r.address as number, sizeBytes: r.sizeBytes, type: 'T' });
    const L = k.arch.layout;
    this.add({ name: '_text', address: (L.kernelTextMap as number) + L.kernelLoadPa, sizeBytes: 0, type: 'T' });
    this.add({ name: 'jiffies', address: k.jiffiesVa, sizeBytes: k.arch.abi.ptrBytes, type: 'D' });
    this.add({ name: 'init_mm', address: k.initMm?.va ?? 0, sizeBytes: k.structs.get('mm_struct').sizeBytes, type: 'D' });
  }

  add(s: KSym): void {
    if (!s.address) return;
    this.syms.push(s);
    this.sorted = false;
  }

  removeModule(name: string): void {
    this.syms = this.syms.filter((s) => s.module !== name);
  }

  private all(): KSym[] {
    if (!this.sorted) {
      this.syms.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name < b.name ? -1 : 1));
      this.sorted = true;
    }
    return this.syms;
  }

  /** The symbol an address falls in (the nearest one below it when sizes are unknown). */
  lookup(addr: number): { name: string; offset: number; sizeBytes: number; module?: string } | undefined {
    const syms = this.all();
    let lo = 0;
    let hi = syms.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid].address <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const s = syms[best];
    if (s.sizeBytes && addr >= s.address + s.sizeBytes) return undefined;
    return { name: s.name, offset: addr - s.address, sizeBytes: s.sizeBytes, module: s.module };
  }

  /** `name+0x1c/0x80 [module]`, as %pS prints it. */
  symbolize(addr: number): string | undefined {
    const s = this.lookup(addr);
    if (!s) return undefined;
    return `${s.name}+0x${s.offset.toString(16)}/0x${s.sizeBytes.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
  }

  sizeAt(addr: number): number | undefined {
    const s = this.all().find((x) => x.address === addr);
    return s?.sizeBytes;
  }

  byName(name: string): KSym | undefined {
    return this.all().find((s) => s.name === name);
  }

  matching(re: RegExp): KSym[] {
    return this.all().filter((s) => re.test(s.name));
  }

  list(): readonly KSym[] {
    return this.all();
  }

  /** The text of /proc/kallsyms: core symbols first, then each module's, with [module]. */
  procText(): string {
    const w = this.k.arch.vaBits / 4;
    const hex = (a: number) => BigInt.asUintN(this.k.arch.vaBits, BigInt(a)).toString(16).padStart(w, '0');
    const core = this.all().filter((s) => !s.module);
    const mods = this.all().filter((s) => s.module);
    const lines = core.map((s) => `${hex(s.address)} ${s.type} ${s.name}\n`);
    for (const s of mods) lines.push(`${hex(s.address)} ${s.type} ${s.name}\t[${s.module}]\n`);
    return lines.join('');
  }
}
