/**
 * /dev/null (1,3) and /dev/zero (1,5), as drivers/char/mem.c of Linux 3.7 has them: null reads
 * nothing and swallows every write; zero reads zeros (a page of __clear_user at a time) and
 * swallows writes too; both seek to 0 whatever they are asked. A private mapping of /dev/zero is
 * plain anonymous memory (mmap_zero leaves the VMA without vm_ops). A shared one would get a shmem
 * file in Linux (shmem_zero_setup); kmemlab has no shmem, so it is anonymous memory too, which a
 * single process cannot tell apart.
 */
import { PAGE_SIZE } from '../../machine/physmem';
import type { NativeGen } from '../../exec/types';
import { add64, type I64 } from '../../util/int64';
import { EFAULT } from '../errno';
import type { Kernel } from '../kernel';
import { call } from '../routines';

export class NullZero {
  readonly nullFops: number;
  readonly zeroFops: number;

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    const noExport = { exported: false };
    r.define('null_lseek', ['file', 'offset', 'orig'], (a) => {
      k.vfs.F.set(a[0] as number, 'f_pos', 0);
      return 0;
    }, noExport);
    r.define('read_null', ['file', 'buf', 'count', 'ppos'], () => 0, noExport);
    r.define('write_null', ['file', 'buf', 'count', 'ppos'], (a) => Number(a[2]), noExport);
    r.define('read_zero', ['file', 'buf', 'count', 'ppos'], (a) => this.readZero(a[1] as I64, Number(a[2])), noExport);
    r.define('mmap_zero', ['file', 'vma'], () => 0, noExport);
    this.nullFops = k.vfs.makeFops({ llseek: 'null_lseek', read: 'read_null', write: 'write_null' });
    this.zeroFops = k.vfs.makeFops({ llseek: 'null_lseek', read: 'read_zero', write: 'write_null', mmap: 'mmap_zero' });
  }

  /** read_zero: zeros a page at a time; what was written before a fault still counts. */
  private *readZero(buf: I64, count: number): NativeGen {
    if (!count) return 0;
    if (!this.k.uaccess.accessOk(buf, count)) return -EFAULT;
    let written = 0;
    while (written < count) {
      const chunk = Math.min(count - written, PAGE_SIZE);
      const unwritten = (yield* call(this.k.routines.must('__clear_user'), add64(buf, written), chunk)) as number;
      written += chunk - unwritten;
      if (unwritten) break;
    }
    return written ? written : -EFAULT;
  }
}
