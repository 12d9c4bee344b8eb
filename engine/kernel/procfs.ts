/**
 * The /proc files user programs read, in Linux 3.7's formats: /proc/PID/maps (show_map_vma's
 * columns and padding), /proc/PID/pagemap (64-bit entries: present bit 63, page shift in bits
 * 55-60, PFN in 0-54), /proc/PID/cmdline and /proc/PID/mem (both through access_process_vm /
 * access_remote_vm, so the target's pages are faulted in and kmapped one at a time),
 * /proc/kallsyms and /proc/modules. "self" is the reader.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen } from '../exec/types';
import { add64, type I64 } from '../util/int64';
import { EINVAL, ENOENT, EACCES, EFAULT, EIO, ENOMEM, ESRCH } from './errno';
import type { Kernel } from './kernel';
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE, type Mm } from './mm';
import { call } from './routines';
import type { Task } from './task';
import { FMODE_UNSIGNED_OFFSET } from './drivers/devmem';

type ProcKind = 'maps' | 'pagemap' | 'cmdline' | 'kallsyms' | 'modules' | 'status' | 'mem';

interface ProcOpen {
  kind: ProcKind;
  task: Task | undefined;
  text?: Uint8Array;
}

const PM_PRESENT = 1n << 63n;
const PM_PSHIFT_4K = 12n << 55n;
/** proc_info_read hands out at most this much per read. */
const PROC_BLOCK_SIZE = 3 * 1024;

export class Procfs {
  private readonly open_ = new Map<number, ProcOpen>();
  private readonly textFops: number;
  private readonly pagemapFops: number;
  private readonly infoFops: number;
  private readonly memFops: number;
  private readonly dentries = new Map<string, number>();

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('seq_read', ['file', 'buf', 'size', 'ppos'], (a) => this.seqRead(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), { exported: false, fixup: true });
    r.define('pagemap_read', ['file', 'buf', 'count', 'ppos'], (a) => this.pagemapRead(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), { exported: false, fixup: true });
    r.define('proc_release', ['inode', 'file'], (a) => {
      this.open_.delete(a[1] as number);
      return 0;
    }, { exported: false });
    this.textFops = k.vfs.makeFops({ read: 'seq_read', llseek: 'default_llseek', release: 'proc_release' });
    this.pagemapFops = k.vfs.makeFops({ read: 'pagemap_read', llseek: 'default_llseek', release: 'proc_release' });
    r.define('proc_info_read', ['file', 'buf', 'count', 'ppos'], (a) => this.infoRead(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), { exported: false });
    r.define('proc_pid_cmdline', ['task', 'buffer'], (a) => this.pidCmdline(a[0] as number, a[1] as number), { exported: false });
    this.infoFops = k.vfs.makeFops({ read: 'proc_info_read', llseek: 'default_llseek', release: 'proc_release' });
    r.define('mem_read', ['file', 'buf', 'count', 'ppos'], (a) => this.memRw(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number, 0), { exported: false });
    r.define('mem_write', ['file', 'buf', 'count', 'ppos'], (a) => this.memRw(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number, 1), { exported: false });
    r.define('mem_lseek', ['file', 'offset', 'orig'], (a) => this.memLseek(a[0] as number, a[1] as I64, Number(a[2])), { exported: false });
    this.memFops = k.vfs.makeFops({ read: 'mem_read', write: 'mem_write', llseek: 'mem_lseek', release: 'proc_release' });
  }

  /** The dentry of a /proc path, made once (every /proc file, built-in or added by a driver). */
  dentryFor(path: string): number {
    let d = this.dentries.get(path);
    if (d === undefined) {
      const D = this.k.structs.get('dentry');
      d = this.k.slab.kmallocNoTrack(D.sizeBytes, 'dentry');
      this.k.km.writeCString(D.addr(d, 'd_iname'), path.split('/').pop()!.slice(0, 31));
      this.dentries.set(path, d);
    }
    return d;
  }

  *open(reader: Task, path: string, flags: number, allocFd: (file: number) => number): NativeGen {
    if (this.k.procEntries.has(path)) return yield* this.k.procEntries.open(reader, path, flags, allocFd);
    const parts = path.split('/').filter(Boolean);
    let kind: ProcKind | undefined;
    let task: Task | undefined;
    if (parts.length === 2 && parts[1] === 'kallsyms') kind = 'kallsyms';
    else if (parts.length === 2 && parts[1] === 'modules') kind = 'modules';
    else if (parts.length === 3) {
      task = parts[1] === 'self' ? reader : this.k.tasks.get(Number(parts[1]));
      if (!task || task.exited || !/^(self|\d+)$/.test(parts[1])) return -ENOENT;
      if (['maps', 'pagemap', 'cmdline', 'status', 'mem'].includes(parts[2])) kind = parts[2] as ProcKind;
    }
    if (!kind) return -ENOENT;
    if (kind === 'mem') return this.memOpen(reader, task!, path, flags, allocFd);
    if ((flags & 3) !== 0) return -EACCES;
    if (kind === 'pagemap' && task !== reader && reader.cred.euid !== 0 && reader.cred.uid !== task?.cred.uid) return -EACCES;
    const fops = kind === 'pagemap' ? this.pagemapFops : kind === 'cmdline' ? this.infoFops : this.textFops;
    const file = this.k.vfs.allocFile(this.dentryFor(path), fops, flags);
    this.open_.set(file, { kind, task });
    return allocFd(file);
  }

  private render(o: ProcOpen): Uint8Array {
    switch (o.kind) {
      case 'maps':
        return new TextEncoder().encode(this.mapsText(o.task!));
      case 'kallsyms':
        return new TextEncoder().encode(this.k.kallsyms.procText());
      case 'modules':
        return new TextEncoder().encode(
          this.k.modules.loaded.map((m) => `${m.name} ${m.sizeBytes} 0 - ${m.state === 'live' ? 'Live' : m.state === 'going' ? 'Unloading' : 'Loading'} 0x${this.k.oops.fmtPtr(m.base)} (${m.taint})\n`).join(''),
        );
      case 'status':
        return new TextEncoder().encode(this.status(o.task!));
      default:
        return new Uint8Array(0);
    }
  }

  /** /proc/PID/status as 3.7's proc_pid_status prints its first parts (task_state, task_mem). */
  private status(t: Task): string {
    const states: Record<number, string> = { 0: 'R (running)', 1: 'S (sleeping)', 2: 'D (disk sleep)', 4: 'T (stopped)', 8: 't (tracing stop)', 16: 'Z (zombie)', 32: 'X (dead)' };
    const c = t.cred;
    const suid = c.suid ?? c.uid;
    const lines = [
      `Name:\t${t.comm}`,
      `State:\t${states[t.state] ?? 'R (running)'}`,
      `Tgid:\t${t.pid}`,
      `Pid:\t${t.pid}`,
      `PPid:\t${t.parent?.pid ?? 0}`,
      'TracerPid:\t0',
      `Uid:\t${c.uid}\t${c.euid}\t${suid}\t${c.euid}`,
      `Gid:\t${c.gid}\t${c.egid}\t${c.gid}\t${c.egid}`,
      'FDSize:\t64',
      'Groups:\t',
    ];
    const mm = t.mm;
    if (mm) {
      const kb = (pages: number) => `${String(pages * 4).padStart(8)} kB`;
      const { rssPages, ptePages } = this.residency(mm);
      const text = (Math.ceil(mm.get('end_code') / PAGE_SIZE) * PAGE_SIZE - (mm.get('start_code') - (mm.get('start_code') % PAGE_SIZE))) / PAGE_SIZE;
      const total = mm.get('total_vm');
      lines.push(
        `VmPeak:\t${kb(Math.max(total, mm.get('hiwater_vm')))}`,
        `VmSize:\t${kb(total)}`,
        `VmLck:\t${kb(mm.get('locked_vm'))}`,
        `VmPin:\t${kb(mm.get('pinned_vm'))}`,
        `VmHWM:\t${kb(Math.max(rssPages, mm.get('hiwater_rss')))}`,
        `VmRSS:\t${kb(rssPages)}`,
        `VmData:\t${kb(total - mm.get('shared_vm') - mm.get('stack_vm'))}`,
        `VmStk:\t${kb(mm.get('stack_vm'))}`,
        `VmExe:\t${kb(text)}`,
        `VmLib:\t${kb(Math.max(0, mm.get('exec_vm') - text))}`,
        `VmPTE:\t${kb(ptePages)}`,
        `VmSwap:\t${kb(0)}`,
      );
    }
    lines.push('Threads:\t1');
    return lines.join('\n') + '\n';
  }

  /** Resident pages (present PTEs) of the user VMAs, and how many page-table pages hold them. */
  private residency(mm: Mm): { rssPages: number; ptePages: number } {
    const pt = this.k.pt;
    const tableSpan = (PAGE_SIZE / this.k.arch.pteBytes) * PAGE_SIZE;
    const tables = new Set<number>();
    let rssPages = 0;
    for (const v of mm.vmas()) {
      for (let a = mm.vmaStart(v); a < mm.vmaEnd(v); ) {
        const ptePa = pt.entryFor(mm.pgdPa, a, 'pte', false);
        if (ptePa === undefined) {
          a = (Math.floor(a / tableSpan) + 1) * tableSpan;
          continue;
        }
        tables.add(ptePa - (ptePa % PAGE_SIZE));
        if (pt.present(pt.read(ptePa))) rssPages++;
        a += PAGE_SIZE;
      }
    }
    return { rssPages, ptePages: tables.size };
  }

  /** seq_file-style read: the text is made at the first read and served from the position. */
  private *seqRead(file: number, buf: I64, size: number, ppos: number): NativeGen {
    const o = this.open_.get(file);
    if (!o) return -EINVAL;
    const pos = Number(this.k.km.r64(ppos));
    if (pos === 0 || !o.text) o.text = this.render(o);
    if (pos >= o.text.length) return 0;
    const chunk = o.text.subarray(pos, Math.min(o.text.length, pos + size));
    const ok = yield* this.k.uaccess.writeUser(buf, chunk);
    if (!ok) return -14;
    this.k.km.w64(ppos, pos + chunk.length);
    return chunk.length;
  }

  /** The name column of a VMA: the file path, or [heap]/[stack] by Linux's rule. */
  vmaName(task: Task, vma: number): string {
    const V = this.k.structs.get('vm_area_struct');
    const mm = task.mm!;
    const file = V.num(vma, 'vm_file');
    if (file) return this.k.vfs.describeFile(file).path;
    const start = V.num(vma, 'vm_start');
    const end = V.num(vma, 'vm_end');
    if (start <= mm.get('brk') && end >= mm.get('start_brk')) return '[heap]';
    const ss = mm.get('start_stack');
    if (start <= ss && end >= ss) return '[stack]';
    return '';
  }

  /** One line per VMA, as show_map_vma prints them. */
  mapsText(task: Task): string {
    const mm = task.mm;
    if (!mm) return '';
    const V = this.k.structs.get('vm_area_struct');
    const ptrChars = this.k.arch.vaBits === 64 ? 8 : 4;
    const lines: string[] = [];
    const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
    for (const v of mm.vmas()) {
      const flags = V.num(v, 'vm_flags');
      const start = V.num(v, 'vm_start');
      const end = V.num(v, 'vm_end');
      const file = V.num(v, 'vm_file');
      const pgoff = file ? V.num(v, 'vm_pgoff') : 0;
      const perms = `${flags & VM_READ ? 'r' : '-'}${flags & VM_WRITE ? 'w' : '-'}${flags & VM_EXEC ? 'x' : '-'}${flags & VM_MAYSHARE ? 's' : 'p'}`;
      const f = file ? this.k.vfs.describeFile(file) : { dev: '00:00', ino: 0, path: '' };
      let line = `${hex(start, 8)}-${hex(end, 8)} ${perms} ${hex(pgoff * 4096, 8)} ${f.dev} ${f.ino} `;
      const name = this.vmaName(task, v);
      if (name) line += ' '.repeat(Math.max(1, 25 + ptrChars * 6 - line.length)) + name;
      lines.push(line + '\n');
    }
    if (this.k.arch.vaBits === 64) {
      const line = 'ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0 ';
      lines.push(line + ' '.repeat(Math.max(1, 73 - line.length)) + '[vsyscall]\n');
    }
    return lines.join('');
  }

  // ---- /proc/PID/cmdline ----------------------------------------------------------------------

  /** proc_info_read: a fresh page, the file's text made into it, then the part at *ppos. */
  private *infoRead(file: number, buf: I64, count: number, ppos: number): NativeGen {
    const o = this.open_.get(file);
    if (!o || !o.task || o.task.exited) return -ESRCH;
    const pfn = this.k.pages.alloc(0, 0, 'page');
    if (pfn === undefined) return -ENOMEM;
    const page = this.k.directMapVa(pfn * PAGE_SIZE);
    try {
      const length = (yield* call(this.k.routines.must('proc_pid_cmdline'), o.task.va, page)) as number;
      if (length < 0) return length;
      return yield* call(this.k.routines.must('simple_read_from_buffer'), buf, Math.min(count, PROC_BLOCK_SIZE), ppos, page, length);
    } finally {
      this.k.pages.free(pfn, 0);
    }
  }

  /**
   * proc_pid_cmdline: arg_start..arg_end (at most a page) through access_process_vm. If the last
   * byte is not a NUL the program rewrote its arguments (setproctitle), so the text is cut at
   * the first NUL, or, having none, continued into the environment up to its first NUL.
   */
  private *pidCmdline(taskVa: number, buffer: number): NativeGen {
    const k = this.k;
    const task = k.sched.taskAt(taskVa);
    const mm = task?.mm;
    if (!mm || !mm.get('arg_end')) return 0;
    const accessProcessVm = k.routines.must('access_process_vm');
    let len = Math.min(mm.get('arg_end') - mm.get('arg_start'), PAGE_SIZE);
    let res = (yield* call(accessProcessVm, taskVa, mm.get('arg_start'), buffer, len, 0)) as number;
    if (res > 0 && k.km.r8(buffer + res - 1) !== 0 && len < PAGE_SIZE) {
      len = this.strnlen(buffer, res);
      if (len < res) res = len;
      else {
        len = Math.min(mm.get('env_end') - mm.get('env_start'), PAGE_SIZE - res);
        res += (yield* call(accessProcessVm, taskVa, mm.get('env_start'), buffer + res, len, 0)) as number;
        res = this.strnlen(buffer, res);
      }
    }
    return res;
  }

  private strnlen(va: number, max: number): number {
    const bytes = this.k.km.readBytes(va, max);
    const nul = bytes.indexOf(0);
    return nul < 0 ? max : nul;
  }

  // ---- /proc/PID/mem --------------------------------------------------------------------------

  /**
   * mem_open: the inode is the target's, mode 0600 (so only its owner, or root, gets past the
   * permission check), then mm_access with PTRACE_MODE_ATTACH: the reader's uid and gid must be
   * the target's real, effective and saved ones, or the reader needs CAP_SYS_PTRACE (root).
   * Positions are addresses, so they are unsigned.
   */
  private memOpen(reader: Task, task: Task, path: string, flags: number, allocFd: (file: number) => number): number {
    const root = reader.cred.euid === 0;
    const owner = reader.cred.euid === task.cred.euid;
    if (!root && !owner) return -EACCES;
    if (task.mm && task.mm !== reader.mm && !this.ptraceMayAccess(reader, task)) return -EACCES;
    const file = this.k.vfs.allocFile(this.dentryFor(path), this.memFops, flags);
    const F = this.k.vfs.F;
    F.set(file, 'f_mode', F.num(file, 'f_mode') | FMODE_UNSIGNED_OFFSET);
    F.set(file, 'private_data', task.mm?.va ?? 0);
    this.open_.set(file, { kind: 'mem', task });
    return allocFd(file);
  }

  /** __ptrace_may_access: the same thread group, matching credentials, or CAP_SYS_PTRACE. */
  private ptraceMayAccess(reader: Task, task: Task): boolean {
    if (reader === task) return true;
    const c = reader.cred;
    const t = task.cred;
    if (c.uid === t.euid && c.uid === t.uid && c.gid === t.egid && c.gid === t.gid) return true;
    return c.euid === 0;
  }

  /**
   * mem_rw: a page at a time through a kernel page — copy_from_user then access_remote_vm for a
   * write, access_remote_vm then copy_to_user for a read. Nothing transferred at all is -EIO; a
   * hole after some bytes ends the transfer short. The position is the address reached.
   */
  private *memRw(file: number, buf: I64, count: number, ppos: number, write: number): NativeGen {
    const k = this.k;
    const o = this.open_.get(file);
    const mmVa = k.vfs.F.num(file, 'private_data');
    if (!o || !mmVa || !o.task || o.task.exited || !o.task.mm) return 0;
    const pfn = k.pages.alloc(0, 0, 'page');
    if (pfn === undefined) return -ENOMEM;
    const page = k.directMapVa(pfn * PAGE_SIZE);
    const longMask = (1n << BigInt(k.arch.abi.longBytes * 8)) - 1n;
    let addr = Number(BigInt.asUintN(64, BigInt(k.km.r64(ppos))) & longMask);
    let copied = 0;
    let left = count;
    try {
      while (left > 0) {
        let thisLen = Math.min(left, PAGE_SIZE);
        if (write && ((yield* call(k.routines.must('copy_from_user'), page, add64(buf, copied), thisLen)) as number)) {
          copied = -EFAULT;
          break;
        }
        thisLen = (yield* call(k.routines.must('access_remote_vm'), mmVa, addr, page, thisLen, write)) as number;
        if (!thisLen) {
          if (!copied) copied = -EIO;
          break;
        }
        if (!write && ((yield* call(k.routines.must('copy_to_user'), add64(buf, copied), page, thisLen)) as number)) {
          copied = -EFAULT;
          break;
        }
        addr += thisLen;
        copied += thisLen;
        left -= thisLen;
      }
      k.km.w64(ppos, addr);
    } finally {
      k.pages.free(pfn, 0);
    }
    return copied;
  }

  /** mem_lseek: SEEK_SET and SEEK_CUR only; any value is a valid position. */
  private memLseek(file: number, offset: I64, orig: number): I64 {
    const F = this.k.vfs.F;
    if (orig === 0) F.set(file, 'f_pos', offset);
    else if (orig === 1) F.set(file, 'f_pos', add64(F.get(file, 'f_pos'), offset));
    else return -EINVAL;
    return F.get(file, 'f_pos');
  }

  /** pagemap: one 64-bit entry per virtual page, at offset vpn * 8. */
  private *pagemapRead(file: number, buf: I64, count: number, ppos: number): NativeGen {
    const o = this.open_.get(file);
    if (!o || !o.task?.mm) return -EINVAL;
    const pos = Number(this.k.km.r64(ppos));
    if (pos % 8 !== 0 || count % 8 !== 0) return -EINVAL;
    const mm = o.task.mm;
    const n = count / 8;
    const out = new Uint8Array(count);
    const view = new DataView(out.buffer);
    const firstVpn = pos / 8;
    for (let i = 0; i < n; i++) {
      const va = (firstVpn + i) * 4096;
      let e = PM_PSHIFT_4K;
      if (va < (this.k.arch.layout.taskSize as number)) {
        const pfn = this.k.pt.translate(mm.pgdPa, va);
        if (pfn !== undefined) e |= PM_PRESENT | BigInt(pfn);
      }
      view.setBigUint64(i * 8, e, true);
    }
    const ok = yield* this.k.uaccess.writeUser(buf, out);
    if (!ok) return -14;
    this.k.km.w64(ppos, pos + count);
    return count;
  }
}
