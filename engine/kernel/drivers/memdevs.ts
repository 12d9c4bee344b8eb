/**
 * Character major 1, "mem", as drivers/char/mem.c registers it: one cdev for the whole major whose
 * memory_open looks the minor up in a table and switches the file to that device's operations.
 * The nodes are the ones udev makes: /dev/mem root:kmem 0640 (or lab.json's devmemMode),
 * /dev/null and /dev/zero 0666.
 */
import type { NativeGen } from '../../exec/types';
import { ENXIO } from '../errno';
import type { Kernel } from '../kernel';
import { call } from '../routines';
import { MINOR, MKDEV } from '../vfs';
import { FMODE_UNSIGNED_OFFSET, type DevMem } from './devmem';
import { NullZero } from './nullzero';

const MEM_MAJOR = 1;

interface MemDevice {
  minor: number;
  name: string;
  mode: number;
  fops: number;
}

export class MemDevices {
  private readonly devlist: MemDevice[];

  constructor(private readonly k: Kernel, mem: DevMem) {
    const nz = new NullZero(k);
    this.devlist = [
      { minor: 1, name: 'mem', mode: mem.nodeMode, fops: mem.fops },
      { minor: 3, name: 'null', mode: 0o666, fops: nz.nullFops },
      { minor: 5, name: 'zero', mode: 0o666, fops: nz.zeroFops },
    ];
    k.routines.define('memory_open', ['inode', 'filp'], (a) => this.memoryOpen(a[0] as number, a[1] as number), { exported: false });
    const memoryFops = k.vfs.makeFops({ open: 'memory_open', llseek: 'noop_llseek' });
    k.vfs.registerRegion(MEM_MAJOR, 0, 256, 'mem', k.vfs.makeCdev(memoryFops), 'kernel');
    for (const d of this.devlist) k.vfs.mknod(`/dev/${d.name}`, MKDEV(MEM_MAJOR, d.minor), d.mode, 'kernel');
  }

  private *memoryOpen(inode: number, file: number): NativeGen {
    const minor = MINOR(this.k.structs.get('inode').num(inode, 'i_rdev'));
    const dev = this.devlist.find((d) => d.minor === minor);
    if (!dev) return -ENXIO;
    const F = this.k.vfs.F;
    F.set(file, 'f_op', dev.fops);
    if (dev.name === 'mem') F.set(file, 'f_mode', F.num(file, 'f_mode') | FMODE_UNSIGNED_OFFSET);
    const open = this.k.vfs.fopFn(dev.fops, 'open');
    return open ? yield* call(open, inode, file) : 0;
  }
}
