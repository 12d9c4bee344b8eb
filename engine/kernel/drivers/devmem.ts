/**
 * /dev/mem (major 1, minor 1): physical memory as a file.
 *
 * read, write and lseek are Linux 3.7's (drivers/char/mem.c): an offset plus count past the end of
 * lowmem (high_memory) is EFAULT; with CONFIG_STRICT_DEVMEM every page touched must pass
 * devmem_is_allowed() (the first MiB yes, System RAM no, anything else yes), judged on the Linux
 * machine description; lseek takes SEEK_SET and SEEK_CUR only and refuses positions that would
 * read as an error number.
 *
 * mmap is judged by the policy lab.json selects (devmemPolicy): one of the seven NetBSD ports of
 * August 2006, the NetBSD 4 rule, or Linux's mmap_mem, with the caller's euid and the kernel's
 * current kern.securelevel. Allowed: the frames are mapped as they are (remap_pfn_range, so the
 * VMA becomes VM_IO|VM_PFNMAP; RAM shows its bytes, addresses no RAM answers read as 0xff).
 * Refused: the policy's errno. Every decision is recorded with every policy's verdict on the same
 * request (judgeAll), for the debugger's policy view and for /proc/kmemlab/devmem.
 *
 * open follows the selected kernel: Linux's open_mem needs CAP_SYS_RAWIO (euid 0), EPERM
 * otherwise; a BSD kernel refuses opening /dev/mem for writing at securelevel >= 1 (EPERM).
 */
import { PAGE_SIZE } from '../../machine/physmem';
import type { NativeGen } from '../../exec/types';
import { add64, norm64, toBig, toUnsignedBig, type I64 } from '../../util/int64';
import { judgeAll, linuxPolicy, netbsdAllowsWritableOpen, type DevMemRequest, type MachineSet, type PolicyArch, type Verdict } from '../../policy';
import { EAGAIN, EFAULT, EINVAL, EOVERFLOW, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import { VM_WRITE } from '../mm';
import { call } from '../routines';
import type { Task } from '../task';
import { defaultDevmemConfig, type DevmemConfig } from './devmemConfig';
import type { ProcEntries } from './procentries';

export const DEVMEM_TRACE_PATH = '/proc/kmemlab/devmem';

/** One mmap of /dev/mem and how every policy judged it. */
export interface DevmemTraceRecord {
  seq: number;
  pid: number;
  comm: string;
  euid: number;
  securelevel: number;
  offsetHex: string;
  lengthBytes: number;
  prot: 'r' | 'rw';
  /** The policy that decided (lab.json's devmemPolicy). */
  policy: PolicyArch;
  allowed: boolean;
  errno?: 'EINVAL' | 'EPERM';
  /** Every policy's verdict on the same request, in engine/policy's fixed order. */
  verdicts: Verdict[];
}

const O_ACCMODE = 3;
const SEEK_SET = 0;
const SEEK_CUR = 1;
/** 3.7's FMODE_UNSIGNED_OFFSET: memory_open marks /dev/mem's positions as unsigned. */
export const FMODE_UNSIGNED_OFFSET = 0x2000;
const ERRNO: Record<'EINVAL' | 'EPERM', number> = { EINVAL, EPERM };

export class DevMem {
  readonly policy: PolicyArch;
  readonly machines: MachineSet;
  readonly nodeMode: number;
  readonly trace: DevmemTraceRecord[] = [];
  readonly fops: number;

  constructor(private readonly k: Kernel, cfg: DevmemConfig | undefined, proc: ProcEntries) {
    const c = cfg ?? defaultDevmemConfig(k.cfg.ramBytes);
    this.policy = c.policy;
    this.machines = c.machines;
    this.nodeMode = c.nodeMode;
    const r = k.routines;
    const noExport = { exported: false };
    r.define('open_mem', ['inode', 'filp'], (a) => this.openMem(a[1] as number), noExport);
    r.define('read_mem', ['file', 'buf', 'count', 'ppos'], (a) => this.readMem(a[1] as I64, Number(a[2]), a[3] as number), noExport);
    r.define('write_mem', ['file', 'buf', 'count', 'ppos'], (a) => this.writeMem(a[1] as I64, Number(a[2]), a[3] as number), noExport);
    r.define('memory_lseek', ['file', 'offset', 'orig'], (a) => this.memoryLseek(a[0] as number, a[1] as I64, Number(a[2])), noExport);
    r.define('mmap_mem', ['file', 'vma'], (a) => this.mmapMem(a[1] as number), noExport);
    this.fops = k.vfs.makeFops({ llseek: 'memory_lseek', read: 'read_mem', write: 'write_mem', mmap: 'mmap_mem', open: 'open_mem' });
    proc.register({ path: DEVMEM_TRACE_PATH, mode: 0o444, show: () => this.traceText() });
  }

  // ---- open ------------------------------------------------------------------------------------

  private openMem(file: number): number {
    const task = this.k.current;
    if (this.policy === 'linux') return task.cred.euid === 0 ? 0 : -EPERM;
    const writing = (this.k.vfs.F.num(file, 'f_flags') & O_ACCMODE) !== 0;
    return writing && !netbsdAllowsWritableOpen(this.k.securelevel) ? -EPERM : 0;
  }

  // ---- read, write, lseek (Linux 3.7) ----------------------------------------------------------

  /** valid_phys_addr_range(): the generic one, everything below high_memory. */
  private validPhysAddrRange(pa: bigint, count: number): boolean {
    return pa + BigInt(count) <= BigInt(this.k.km.directMapBytes);
  }

  /** range_is_allowed(): devmem_is_allowed() for every page from pfn on, as the Linux machine has it. */
  private rangeIsAllowed(pfn: bigint, sizeBytes: number): boolean {
    const from = pfn * BigInt(PAGE_SIZE);
    const v = linuxPolicy({ offset: from, lengthBytes: sizeBytes, prot: { read: true, write: false } }, { euid: 0 }, this.machines.linux);
    if (!v.allowed) this.reportRefusedRange(from, sizeBytes);
    return v.allowed;
  }

  /** What range_is_allowed() prints when it refuses. */
  private reportRefusedRange(from: bigint, sizeBytes: number): void {
    const to = from + BigInt(sizeBytes);
    this.k.printk(`\x016Program ${this.k.current.comm} tried to access /dev/mem between ${from.toString(16)}->${to.toString(16)}.\n`);
  }

  private position(ppos: number): bigint {
    return toUnsignedBig(this.k.km.r64(ppos));
  }

  private *readMem(buf: I64, count: number, ppos: number): NativeGen {
    let p = this.position(ppos);
    if (!this.validPhysAddrRange(p, count)) return -EFAULT;
    let done = 0;
    while (done < count) {
      const sz = Math.min(count - done, PAGE_SIZE - Number(p % BigInt(PAGE_SIZE)));
      // 3.7 asks about the whole remaining count here, not just this page.
      if (!this.rangeIsAllowed(p / BigInt(PAGE_SIZE), count - done)) return -EPERM;
      const left = (yield* call(this.k.routines.must('copy_to_user'), add64(buf, done), this.k.directMapVa(Number(p)), sz)) as number;
      if (left) return -EFAULT;
      p += BigInt(sz);
      done += sz;
    }
    this.k.km.w64(ppos, norm64(p));
    return done;
  }

  private *writeMem(buf: I64, count: number, ppos: number): NativeGen {
    const start = this.position(ppos);
    let p = start;
    if (!this.validPhysAddrRange(p, count)) return -EFAULT;
    let written = 0;
    while (written < count) {
      const sz = Math.min(count - written, PAGE_SIZE - Number(p % BigInt(PAGE_SIZE)));
      if (!this.rangeIsAllowed(p / BigInt(PAGE_SIZE), sz)) return -EPERM;
      const left = (yield* call(this.k.routines.must('copy_from_user'), this.k.directMapVa(Number(p)), add64(buf, written), sz)) as number;
      if (left) {
        written += sz - left;
        if (written) break;
        return -EFAULT;
      }
      p += BigInt(sz);
      written += sz;
    }
    this.k.km.w64(ppos, norm64(start + BigInt(written)));
    return written;
  }

  /** memory_lseek: SEEK_SET and SEEK_CUR; a position in the last 4 KiB of the u64 range would look like -errno. */
  private memoryLseek(file: number, offset: I64, orig: number): I64 {
    const F = this.k.vfs.F;
    let pos = toBig(offset);
    if (orig === SEEK_CUR) pos += toBig(F.get(file, 'f_pos'));
    else if (orig !== SEEK_SET) return -EINVAL;
    if (BigInt.asUintN(64, pos) >= BigInt.asUintN(64, ~0xfffn)) return -EOVERFLOW;
    const v = norm64(BigInt.asIntN(64, pos));
    F.set(file, 'f_pos', v);
    return v;
  }

  // ---- mmap ------------------------------------------------------------------------------------

  private requestOf(vma: number): DevMemRequest {
    const V = this.k.structs.get('vm_area_struct');
    return {
      offset: BigInt(V.num(vma, 'vm_pgoff')) * BigInt(PAGE_SIZE),
      lengthBytes: V.num(vma, 'vm_end') - V.num(vma, 'vm_start'),
      prot: { read: true, write: (V.num(vma, 'vm_flags') & VM_WRITE) !== 0 },
    };
  }

  /** Every policy's verdict on a request, on this kernel's machines (a request typed into the debugger's view). */
  verdictsFor(req: DevMemRequest, euid: number, securelevel = this.k.securelevel): Verdict[] {
    return judgeAll(req, { euid }, this.machines, securelevel);
  }

  /** Every policy's verdict on a request by `task`, at the current securelevel, recorded. */
  judge(task: Task, req: DevMemRequest): DevmemTraceRecord {
    const verdicts = this.verdictsFor(req, task.cred.euid);
    const chosen = verdicts.find((v) => v.arch === this.policy)!;
    const rec: DevmemTraceRecord = {
      seq: this.trace.length + 1,
      pid: task.pid,
      comm: task.comm,
      euid: task.cred.euid,
      securelevel: this.k.securelevel,
      offsetHex: `0x${req.offset.toString(16)}`,
      lengthBytes: req.lengthBytes,
      prot: req.prot.write ? 'rw' : 'r',
      policy: this.policy,
      allowed: chosen.allowed,
      ...(chosen.allowed ? {} : { errno: chosen.errno ?? 'EINVAL' }),
      verdicts,
    };
    this.trace.push(rec);
    return rec;
  }

  private *mmapMem(vma: number): NativeGen {
    const V = this.k.structs.get('vm_area_struct');
    const req = this.requestOf(vma);
    const rec = this.judge(this.k.current, req);
    const what = `mmap of ${rec.offsetHex}+${rec.lengthBytes} (${rec.prot}) by ${rec.comm}[${rec.pid}] euid ${rec.euid} at securelevel ${rec.securelevel}`;
    if (!rec.allowed) {
      // Linux's mmap_mem refuses RAM in range_is_allowed(), which says so (alignment and open are earlier).
      if (this.policy === 'linux' && rec.errno === 'EPERM' && rec.euid === 0) this.reportRefusedRange(req.offset, req.lengthBytes);
      this.k.printk(`\x016kmemlab: /dev/mem: ${this.policy} refuses ${what}: ${rec.errno}\n`);
      return -ERRNO[rec.errno!];
    }
    this.k.printk(`\x016kmemlab: /dev/mem: ${this.policy} allows ${what}\n`);
    const start = V.num(vma, 'vm_start');
    const ret = (yield* call(this.k.routines.must('remap_pfn_range'), vma, start, V.get(vma, 'vm_pgoff'), req.lengthBytes, V.get(vma, 'vm_page_prot'))) as number;
    return ret ? -EAGAIN : 0;
  }

  // ---- the trace as text -----------------------------------------------------------------------

  /** /proc/kmemlab/devmem: each request, the deciding policy, then every policy's verdict. */
  traceText(): string {
    const lines: string[] = [];
    for (const t of this.trace) {
      lines.push(`request ${t.seq}: ${t.comm}[${t.pid}] euid ${t.euid} securelevel ${t.securelevel}: offset ${t.offsetHex} length ${t.lengthBytes} prot ${t.prot}`);
      lines.push(`  decided by ${t.policy}: ${t.allowed ? 'allowed' : `refused ${t.errno}`}`);
      for (const v of t.verdicts) {
        const verdict = v.allowed ? 'allowed' : `refused ${v.errno ?? 'EINVAL'}`;
        lines.push(`  ${v.arch.padEnd(8)} ${verdict.padEnd(14)} ${v.reason}`);
        if (v.edge) lines.push(`  ${''.padEnd(8)} ${''.padEnd(14)} edge: ${v.edge}`);
      }
    }
    return lines.map((l) => l + '\n').join('');
  }
}
