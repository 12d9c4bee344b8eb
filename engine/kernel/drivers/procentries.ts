/**
 * /proc files that built-in drivers add (kern.securelevel under /proc/sys, the /dev/mem trace
 * under /proc/kmemlab): each is a text made when a read starts at position 0 and, optionally, a
 * handler for what is written to it. Permissions follow the file's mode the way proc_sys_permission
 * does: root is judged by the owner bits, everyone else by the "other" bits (kmemlab has no groups).
 */
import type { NativeGen } from '../../exec/types';
import type { I64 } from '../../util/int64';
import { EACCES, EFAULT, EINVAL, ENOENT } from '../errno';
import type { Kernel } from '../kernel';
import type { Task } from '../task';

export interface ProcEntry {
  path: string;
  /** Permission bits (0644...). */
  mode: number;
  show(reader: Task): string;
  /** What a write does with the text written: 0, or a negative errno. */
  store?(writer: Task, text: string): number;
}

interface OpenEntry {
  entry: ProcEntry;
  task: Task;
  text?: Uint8Array;
}

const O_ACCMODE = 3;
const MAY_READ = 4;
const MAY_WRITE = 2;
/** Linux caps a sysctl write at one page. */
const MAX_WRITE_BYTES = 4096;

export class ProcEntries {
  private readonly entries = new Map<string, ProcEntry>();
  private readonly open_ = new Map<number, OpenEntry>();
  private readonly fops: number;

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    // They copy to and from user memory themselves, so they carry exception-table entries.
    const noExport = { exported: false, fixup: true };
    r.define('proc_entry_read', ['file', 'buf', 'count', 'ppos'], (a) => this.read(a[0] as number, a[1] as I64, Number(a[2]), a[3] as number), noExport);
    r.define('proc_entry_write', ['file', 'buf', 'count', 'ppos'], (a) => this.write(a[0] as number, a[1] as I64, Number(a[2])), noExport);
    r.define('proc_entry_release', ['inode', 'file'], (a) => {
      this.open_.delete(a[1] as number);
      return 0;
    }, noExport);
    this.fops = k.vfs.makeFops({ read: 'proc_entry_read', write: 'proc_entry_write', llseek: 'default_llseek', release: 'proc_entry_release' });
  }

  register(entry: ProcEntry): void {
    this.entries.set(entry.path, entry);
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  private permitted(entry: ProcEntry, task: Task, flags: number): boolean {
    const bits = task.cred.euid === 0 ? (entry.mode >> 6) & 7 : entry.mode & 7;
    const acc = flags & O_ACCMODE;
    if ((acc === 0 || acc === 2) && !(bits & MAY_READ)) return false;
    if ((acc === 1 || acc === 2) && !(bits & MAY_WRITE)) return false;
    return true;
  }

  *open(task: Task, path: string, flags: number, allocFd: (file: number) => number): NativeGen {
    const entry = this.entries.get(path);
    if (!entry) return -ENOENT;
    if (!this.permitted(entry, task, flags)) return -EACCES;
    const file = this.k.vfs.allocFile(this.k.procfs.dentryFor(path), this.fops, flags);
    this.open_.set(file, { entry, task });
    return allocFd(file);
  }

  private *read(file: number, buf: I64, count: number, ppos: number): NativeGen {
    const o = this.open_.get(file);
    if (!o) return -EINVAL;
    const pos = Number(this.k.km.r64(ppos));
    if (pos === 0 || !o.text) o.text = new TextEncoder().encode(o.entry.show(o.task));
    if (pos >= o.text.length) return 0;
    const chunk = o.text.subarray(pos, Math.min(o.text.length, pos + count));
    if (!(yield* this.k.uaccess.writeUser(buf, chunk))) return -EFAULT;
    this.k.km.w64(ppos, pos + chunk.length);
    return chunk.length;
  }

  /** The whole write is one value (as proc_dointvec takes it); the position does not matter. */
  private *write(file: number, buf: I64, count: number): NativeGen {
    const o = this.open_.get(file);
    if (!o) return -EINVAL;
    if (!o.entry.store) return -EINVAL;
    const n = Math.min(count, MAX_WRITE_BYTES);
    const bytes = n === 0 ? new Uint8Array(0) : yield* this.k.uaccess.readUser(buf, n);
    if (!bytes) return -EFAULT;
    const err = o.entry.store(o.task, new TextDecoder('latin1').decode(bytes));
    return err < 0 ? err : count;
  }
}
