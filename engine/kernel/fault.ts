/**
 * arch/x86/mm/fault.c: what happens when the MMU refuses an access. Kernel vmalloc addresses
 * are synced from init_mm; a fault in atomic context or without an mm is not serviced; no VMA
 * is SEGV_MAPERR, a permission mismatch SEGV_ACCERR; VM_FAULT_SIGBUS is BUS_ADRERR. In kernel
 * mode the exception table is consulted (uaccess routines get -EFAULT) and otherwise it is an
 * oops. General protection and divide errors are here too.
 */
import { Trap } from '../machine/cpu';
import { PF_PROT, PF_RSVD, PF_USER, PF_WRITE } from '../machine/mmu';
import { PAGE_SIZE } from '../machine/physmem';
import type { TrapSite } from '../exec/executor';
import type { NativeGen, NativeRoutine, Value } from '../exec/types';
import type { I64 } from '../util/int64';
import { FAULT_ENTRY_STEPS, type Kernel } from './kernel';
import { VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_SIGBUS, FAULT_FLAG_USER, FAULT_FLAG_WRITE } from './memory';
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from './mm';
import type { KernelRoutine } from './routines';
import { call } from './routines';
import type { Task } from './task';

export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRERR = 2;
export const FPE_INTDIV = 1;
/** thread.trap_nr values a sigcontext reports. */
const X86_TRAP_DE = 0;
const X86_TRAP_GP = 13;

/** What a trap handler tells whoever asked: run the access again, or take the fixup path. */
export const FAULT_RETRY = 0;
export const FAULT_FIXUP = 1;

export class Faults {
  private readonly doPageFault: KernelRoutine;
  private readonly doGp: KernelRoutine;
  private readonly doDivide: KernelRoutine;
  /** The site each pending trap came from, per thread (handlers read it when they start). */
  private readonly sites = new Map<number, TrapSite[]>();

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    this.doPageFault = r.define('do_page_fault', ['error_code', 'address'], (a, ctx) => this.pageFault(a[0] as number, a[1] as I64, this.takeSite(ctx.thread.id)), { exported: false });
    this.doGp = r.define('do_general_protection', ['error_code', 'address'], (a, ctx) => this.generalProtection(a[1] as I64, this.takeSite(ctx.thread.id)), { exported: false });
    this.doDivide = r.define('do_divide_error', ['error_code'], (_a, ctx) => this.divideError(this.takeSite(ctx.thread.id)), { exported: false });
  }

  private takeSite(threadId: number): TrapSite | undefined {
    return this.sites.get(threadId)?.pop();
  }

  handlerFor(task: Task, trap: Trap, site: TrapSite): { routine: NativeRoutine; args: Value[] } {
    let list = this.sites.get(task.thread.id);
    if (!list) {
      list = [];
      this.sites.set(task.thread.id, list);
    }
    list.push(site);
    if (trap.kind === 'gp') return { routine: this.doGp, args: [0, trap.va] };
    if (trap.kind === 'divide') return { routine: this.doDivide, args: [0] };
    return { routine: this.doPageFault, args: [trap.errorCode, trap.va] };
  }

  /** Can this fault take the exception-table path (a uaccess routine asked the handler)? */
  private hasFixup(site: TrapSite | undefined): boolean {
    return site !== undefined && !site.fatal && site.frame.kind === 'native' && (site.frame.routine as KernelRoutine).fixup === true;
  }

  private *pageFault(errorCode: number, address: I64, site: TrapSite | undefined): NativeGen {
    const k = this.k;
    const task = k.current;
    k.exec.charge(FAULT_ENTRY_STEPS);
    const user = (errorCode & PF_USER) !== 0;
    const addr = typeof address === 'number' ? address : 0;
    const report = (resolved: string) => k.emit({ kind: 'pagefault', pid: task.pid, va: address, errorCode, user, resolved });
    if (typeof address === 'number' && k.arch.isKernelVa(address)) {
      if (!(errorCode & (PF_RSVD | PF_USER | PF_PROT)) && this.vmallocFault(task, address)) {
        report('vmalloc-sync');
        return FAULT_RETRY;
      }
      if (user) return yield* this.badArea(task, address, errorCode, SEGV_MAPERR, report);
      return yield* this.noContext(task, address, errorCode, site, report);
    }
    const mm = task.mm;
    if (task.preemptCount > 0 || !mm) {
      if (user) return yield* this.badArea(task, address, errorCode, SEGV_MAPERR, report);
      return yield* this.noContext(task, address, errorCode, site, report);
    }
    let vma = mm.findVma(addr);
    if (!vma) return yield* this.badAreaOrNoContext(task, address, errorCode, SEGV_MAPERR, site, report);
    if (mm.vmaStart(vma) > addr) {
      if (!(mm.vmaFlags(vma) & VM_GROWSDOWN) || !k.mmSub.expandStack(mm, vma, addr)) {
        return yield* this.badAreaOrNoContext(task, address, errorCode, SEGV_MAPERR, site, report);
      }
    }
    const flags = mm.vmaFlags(vma);
    const write = (errorCode & PF_WRITE) !== 0;
    if (write ? !(flags & VM_WRITE) : errorCode & PF_PROT || !(flags & (VM_READ | VM_EXEC | VM_WRITE))) {
      return yield* this.badAreaOrNoContext(task, address, errorCode, SEGV_ACCERR, site, report);
    }
    const fault = (yield* call(k.routines.must('handle_mm_fault'), mm.va, vma, addr, (write ? FAULT_FLAG_WRITE : 0) | (user ? FAULT_FLAG_USER : 0))) as number;
    if (fault & VM_FAULT_ERROR) {
      if (!user) return yield* this.noContext(task, address, errorCode, site, report);
      if (fault & VM_FAULT_OOM) {
        report('oom');
        k.printk(`\x013Out of memory: Kill process ${task.pid} (${task.comm})\n`);
        return yield* k.sched.killTask(task, SIGKILL);
      }
      if (fault & VM_FAULT_SIGBUS) {
        report('sigbus');
        k.signals.forcePageFaultSignal(task, SIGBUS, BUS_ADRERR, address, errorCode);
        return FAULT_RETRY;
      }
    }
    report(fault & 0x4 ? 'major' : 'minor');
    vma = 0;
    return FAULT_RETRY;
  }

  /** Kernel vmalloc addresses: copy the missing top-level entry from init_mm (vmalloc_fault). */
  private vmallocFault(task: Task, address: number): boolean {
    const k = this.k;
    const mm = task.mm ?? task.activeMm ?? k.initMm;
    if (!k.pt.lookup(k.swapperPgdPa, address)) return false;
    if (mm.pgdPa === k.swapperPgdPa) return false;
    const top = k.pt.levels[0];
    const i = Math.floor(address / 2 ** top.shift) & (top.entries - 1);
    const eb = k.arch.pteBytes;
    const ref = k.pt.read(k.swapperPgdPa + i * eb);
    const cur = k.pt.read(mm.pgdPa + i * eb);
    if (ref === cur) return false;
    k.pt.write(mm.pgdPa + i * eb, ref);
    return true;
  }

  private *badAreaOrNoContext(task: Task, address: I64, errorCode: number, code: number, site: TrapSite | undefined, report: (r: string) => void): NativeGen {
    if (errorCode & PF_USER) return yield* this.badArea(task, address, errorCode, code, report);
    return yield* this.noContext(task, address, errorCode, site, report);
  }

  /**
   * A user access with no valid mapping: SIGSEGV with si_code and si_addr, and — when nobody
   * catches SIGSEGV (show_signal_msg) — the "segfault at" line x86 prints.
   */
  private *badArea(task: Task, address: I64, errorCode: number, code: number, report: (r: string) => void): NativeGen {
    report(code === SEGV_MAPERR ? 'sigsegv-maperr' : 'sigsegv-accerr');
    const w = this.k.exec.where(task.thread);
    const ip = w ? this.k.oops.ipOf(task) : 0;
    if (this.k.signals.unhandled(task, SIGSEGV)) {
      this.k.printk(
        `\x016${task.comm}[${task.pid}]: segfault at ${hexAddr(address)} ip ${this.k.oops.fmtPtr(ip)} sp ${this.k.oops.fmtPtr(task.thread.usp)} error ${errorCode.toString(16)}${this.k.oops.inVma(task, ip)}\n`,
      );
    }
    this.k.signals.forcePageFaultSignal(task, SIGSEGV, code, address, errorCode);
    return FAULT_RETRY;
  }

  /** Kernel mode with no way to service the fault: the exception table, or an oops. */
  private *noContext(task: Task, address: I64, errorCode: number, site: TrapSite | undefined, report: (r: string) => void): NativeGen {
    if (this.hasFixup(site)) {
      report('fixup');
      this.k.emit({ kind: 'uaccess-fixup', pid: task.pid, va: address, routine: site!.frame.kind === 'native' ? site!.frame.routine.name : '' });
      return FAULT_FIXUP;
    }
    report('oops');
    const a = typeof address === 'number' ? address : 0;
    const head = a >= 0 && a < PAGE_SIZE ? `BUG: unable to handle kernel NULL pointer dereference at ${this.k.oops.fmtPtr(address)}` : `BUG: unable to handle kernel paging request at ${this.k.oops.fmtPtr(address)}`;
    return yield* this.k.oops.die(task, head, `Oops: ${errorCode.toString(16).padStart(4, '0')}`, site, address);
  }

  private *generalProtection(address: I64, site: TrapSite | undefined): NativeGen {
    const task = this.k.current;
    if (site && (site.frame.kind === 'c' ? site.frame.fn.mode : site.frame.mode) === 2) {
      if (this.k.signals.unhandled(task, SIGSEGV)) {
        this.k.printk(`\x016traps: ${task.comm}[${task.pid}] general protection ip:${this.k.oops.fmtPtr(this.k.oops.ipOf(task))} sp:${this.k.oops.fmtPtr(task.thread.usp)} error:0\n`);
      }
      this.k.signals.recordTrap(task, { trapNr: X86_TRAP_GP, errorCode: 0 });
      this.k.signals.forceSig(task, SIGSEGV);
      return FAULT_RETRY;
    }
    return yield* this.k.oops.die(task, `general protection fault: 0000 [#${this.k.oops.count + 1}] SMP (non-canonical address ${hexAddr(address)})`, undefined, site, address);
  }

  private *divideError(site: TrapSite | undefined): NativeGen {
    const task = this.k.current;
    if (site && (site.frame.kind === 'c' ? site.frame.fn.mode : site.frame.mode) === 2) {
      if (this.k.signals.unhandled(task, SIGFPE)) {
        this.k.printk(`\x016traps: ${task.comm}[${task.pid}] trap divide error ip:${this.k.oops.fmtPtr(this.k.oops.ipOf(task))} sp:${this.k.oops.fmtPtr(task.thread.usp)} error:0\n`);
      }
      this.k.signals.forceSigFault(task, SIGFPE, FPE_INTDIV, this.k.oops.ipOf(task), { trapNr: X86_TRAP_DE, errorCode: 0 });
      return FAULT_RETRY;
    }
    return yield* this.k.oops.die(task, `divide error: 0000 [#${this.k.oops.count + 1}] SMP`, undefined, site, 0);
  }
}

export function hexAddr(v: I64): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16);
}
