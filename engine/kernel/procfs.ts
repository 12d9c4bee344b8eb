/**
 * The /proc files user programs read, in Linux 3.7's formats: /proc/PID/maps (show_map_vma's
 * columns and padding), /proc/PID/pagemap (64-bit entries: present bit 63, page shift in bits
 * 55-60, PFN in 0-54), /proc/PID/cmdline, /proc/kallsyms and /proc/modules. "self" is the reader.
 */
import type { NativeGen } from '../exec/types';
import type { I64 } from '../util/int64';
import { EINVAL, ENOENT, EACCES } from './errno';
import type { Kernel } from './kernel';
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE } from './mm';
import type { Task } from './task';

type ProcKind = 'maps' | 'pagemap' | 'cmdline' | 'kallsyms' | 'modules' | 'status';

interface ProcOpen {
  kind: ProcKind;
  task: Task | undefined;
  text?: Uint8Array;
}

const PM_PRESENT = 1n << 63n;
const PM_PSHIFT_4K = 12n << 55n;

export class Procfs {
  private readonly open_ = new Map<number, ProcOpen>();
  private readonly textFops: number;
  private readonly pagemapFops: number;
  private readonly dentries = new Map<string, number>();

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('seq_read', ['file', 'buf', 'size', 'ppos'], (a) => this.seqRead(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), { exported: false });
    r.define('pagemap_read', ['file', 'buf', 'count', 'ppos'], (a) => this.pagemapRead(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), { exported: false });
    r.define('proc_release', ['inode', 'file'], (a) => {
      this.open_.delete(a[1] as number);
      return 0;
    }, { exported: false });
    this.textFops = k.vfs.makeFops({ read: 'seq_read', llseek: 'default_llseek', release: 'proc_release' });
    this.pagemapFops = k.vfs.makeFops({ read: 'pagemap_read', llseek: 'default_llseek', release: 'proc_release' });
  }

  private dentryFor(path: string): number {
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
      if (['maps', 'pagemap', 'cmdline', 'status'].includes(parts[2])) kind = parts[2] as ProcKind;
    }
    if (!kind) return -ENOENT;
    if ((flags & 3) !== 0) return -EACCES;
    if (kind === 'pagemap' && task !== reader && reader.cred.euid !== 0 && reader.cred.uid !== task?.cred.uid) return -EACCES;
    const file = this.k.vfs.allocFile(this.dentryFor(path), kind === 'pagemap' ? this.pagemapFops : this.textFops, flags);
    this.open_.set(file, { kind, task });
    return allocFd(file);
  }

  private render(o: ProcOpen): Uint8Array {
    switch (o.kind) {
      case 'maps':
        return new TextEncoder().encode(this.mapsText(o.task!));
      case 'cmdline':
        return this.cmdline(o.task!);
      case 'kallsyms':
        return new TextEncoder().encode(this.k.kallsyms.procText());
      case 'modules':
        return new TextEncoder().encode(
          this.k.modules.loaded.map((m) => `${m.name} ${m.sizeBytes} 0 - ${m.state === 'live' ? 'Live' : m.state === 'going' ? 'Unloading' : 'Loading'} 0x${this.k.oops.fmtPtr(m.base)} (${m.taint})\n`).join(''),
        );
      case 'status': {
        const t = o.task!;
        return new TextEncoder().encode(`Name:\t${t.comm}\nState:\tR (running)\nTgid:\t${t.pid}\nPid:\t${t.pid}\nPPid:\t${t.parent?.pid ?? 0}\nUid:\t${t.cred.uid}\t${t.cred.euid}\t${t.cred.uid}\t${t.cred.euid}\n`);
      }
      default:
        return new Uint8Array(0);
    }
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

  private cmdline(task: Task): Uint8Array {
    const mm = task.mm;
    if (!mm) return new Uint8Array(0);
    const start = mm.get('arg_start');
    const end = mm.get('arg_end');
    const out = new Uint8Array(Math.max(0, end - start));
    for (let i = 0; i < out.length; i++) {
      const pfn = this.k.pt.translate(mm.pgdPa, start + i);
      if (pfn === undefined) return out.subarray(0, i);
      out[i] = this.k.mem.read8(pfn * 4096 + ((start + i) & 4095));
    }
    return out;
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
