/**
 * Files and character devices: struct file / inode / dentry in kernel memory, the fd table,
 * chrdev regions and cdevs, device classes and misc devices whose nodes appear under /dev the way
 * udev would create them, file_operations dispatch (open/release/read/write/llseek/
 * unlocked_ioctl/mmap), the console, and the file system calls.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { NativeGen, NativeRequest, Value } from '../exec/types';
import { add64, type I64 } from '../util/int64';
import { EACCES, EBADF, EBUSY, EFAULT, EINVAL, EMFILE, ENODEV, ENOENT, ENOTTY, ENXIO, ESPIPE, EPERM } from './errno';
import type { Kernel } from './kernel';
import type { KStruct } from './kmem';
import { MAP_ANONYMOUS } from './mm';
import { call } from './routines';
import type { Task } from './task';

type Gen<T> = Generator<NativeRequest, T, Value | undefined>;

export const MINORBITS = 20;
export const MKDEV = (major: number, minor: number) => ((major << MINORBITS) | minor) >>> 0;
export const MAJOR = (dev: number) => dev >>> MINORBITS;
export const MINOR = (dev: number) => dev & ((1 << MINORBITS) - 1);

const S_IFCHR = 0o020000;
const O_ACCMODE = 3;
const MISC_MAJOR = 10;
const MISC_DYNAMIC_MINOR = 255;
const ENOIOCTLCMD = 515;

export interface DevNode {
  path: string;
  dev: number;
  mode: number;
  inodeVa: number;
  dentryVa: number;
  /** Who created it, so it goes when the driver goes. */
  owner: string;
}

interface ChrdevRegion {
  major: number;
  baseminor: number;
  count: number;
  name: string;
  /** The cdev serving it (register_chrdev makes one of its own). */
  cdevVa: number;
  owner: string;
}

/** A file whose contents the kernel generates (procfs), read like a file. */
export interface GeneratedFile {
  bytes: Uint8Array;
}

/** new_encode_dev: the kernel's dev_t (major << 20 | minor) as user space sees it in st_rdev. */
function newEncodeDev(dev: number): number {
  const major = dev >>> 20;
  const minor = dev & 0xfffff;
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

export class Vfs {
  readonly nodes = new Map<string, DevNode>();
  readonly regions: ChrdevRegion[] = [];
  /** cdev_add registrations: dev range → cdev. */
  private readonly cdevMap: { dev: number; count: number; cdevVa: number }[] = [];
  readonly miscDevices: { va: number; minor: number; name: string; owner: string }[] = [];
  readonly classes = new Map<number, { name: string; owner: string }>();
  readonly devices = new Map<number, { dev: number; name: string; classVa: number; drvdata: I64 }>();
  /** Contents of procfs files by struct file address. */
  readonly generated = new Map<number, GeneratedFile>();
  private nextIno = 1000;
  private readonly defChrFops: number;
  private readonly miscFops: number;
  private readonly consoleFops: number;
  /** Per-program output limit; past it output is dropped with a note. */
  outputLimitBytes = 1 << 20;

  constructor(private readonly k: Kernel) {
    const r = k.routines;
    r.define('register_chrdev', ['major', 'name', 'fops'], (a, ctx) => this.registerChrdev(Number(a[0]), a[1] as I64, a[2] as number, this.k.lib.ownerOf(ctx)));
    r.define('unregister_chrdev', ['major', 'name'], (a) => this.unregisterChrdev(Number(a[0])));
    r.define('alloc_chrdev_region', ['dev', 'baseminor', 'count', 'name'], (a, ctx) => this.allocChrdevRegion(a[0] as I64, Number(a[1]), Number(a[2]), a[3] as I64, this.k.lib.ownerOf(ctx)));
    r.define('register_chrdev_region', ['from', 'count', 'name'], (a, ctx) => this.registerRegion(MAJOR(Number(a[0])), MINOR(Number(a[0])), Number(a[1]), this.str(a[2] as I64), 0, this.k.lib.ownerOf(ctx)));
    r.define('unregister_chrdev_region', ['from', 'count'], (a) => this.unregisterRegion(Number(a[0]), Number(a[1])));
    r.define('cdev_init', ['cdev', 'fops'], (a) => this.cdevInit(a[0] as number, a[1] as number));
    r.define('cdev_alloc', [], (_a, ctx) => {
      const C = this.k.structs.get('cdev');
      const va = this.k.slab.kmalloc(C.sizeBytes, 0x8000, this.k.lib.site(ctx), this.k.lib.ownerOf(ctx));
      if (va) this.cdevInit(va, 0);
      return va;
    });
    r.define('cdev_add', ['p', 'dev', 'count'], (a) => this.cdevAdd(a[0] as number, Number(a[1]), Number(a[2])));
    r.define('cdev_del', ['p'], (a) => this.cdevDel(a[0] as number));
    r.define('__class_create', ['owner', 'name', 'key'], (a, ctx) => {
      const va = this.k.slab.kmallocNoTrack(64, 'class');
      this.classes.set(va, { name: this.str(a[1] as I64), owner: this.k.lib.ownerOf(ctx) });
      return va;
    });
    r.define('class_destroy', ['cls'], (a) => {
      this.classes.delete(a[0] as number);
      return 0;
    });
    r.define('device_create', ['cls', 'parent', 'devt', 'drvdata', 'fmt'], (a, ctx) => {
      const name = this.k.lib.formatKernel(a[4] as I64, a.slice(5));
      return this.deviceCreate(a[0] as number, Number(a[2]), a[3] as I64, name, this.k.lib.ownerOf(ctx));
    });
    r.define('device_destroy', ['cls', 'devt'], (a) => this.deviceDestroy(Number(a[1])));
    r.define('dev_get_drvdata', ['dev'], (a) => this.devices.get(a[0] as number)?.drvdata ?? 0);
    r.define('dev_set_drvdata', ['dev', 'data'], (a) => {
      const d = this.devices.get(a[0] as number);
      if (d) d.drvdata = a[1] as I64;
      return 0;
    });
    r.define('misc_register', ['misc'], (a, ctx) => this.miscRegister(a[0] as number, this.k.lib.ownerOf(ctx)));
    r.define('misc_deregister', ['misc'], (a) => this.miscDeregister(a[0] as number));
    r.define('no_llseek', ['file', 'offset', 'origin'], () => -ESPIPE);
    r.define('noop_llseek', ['file', 'offset', 'origin'], (a) => this.F.get(a[0] as number, 'f_pos'));
    for (const name of ['default_llseek', 'generic_file_llseek']) {
      r.define(name, ['file', 'offset', 'origin'], (a) => this.defaultLlseek(a[0] as number, a[1] as I64, Number(a[2])));
    }
    r.define('nonseekable_open', ['inode', 'filp'], (a) => {
      this.F.set(a[1] as number, 'f_mode', this.F.num(a[1] as number, 'f_mode') & ~(0x4 | 0x8 | 0x10));
      return 0;
    });
    r.define('simple_read_from_buffer', ['to', 'count', 'ppos', 'from', 'available'], (a) => this.simpleRead(a[0] as I64, Number(a[1]), a[2] as I64, a[3] as I64, Number(a[4])), { fixup: true });
    r.define('simple_write_to_buffer', ['to', 'available', 'ppos', 'from', 'count'], (a) => this.simpleWrite(a[0] as I64, Number(a[1]), a[2] as I64, a[3] as I64, Number(a[4])), { fixup: true });
    r.define('chrdev_open', ['inode', 'filp'], (a) => this.chrdevOpen(a[0] as number, a[1] as number), { exported: false });
    r.define('misc_open', ['inode', 'file'], (a) => this.miscOpen(a[0] as number, a[1] as number), { exported: false });
    r.define('console_write', ['file', 'buf', 'count', 'ppos'], (a) => this.consoleWrite(a[0] as number, a[1] as I64, Number(a[2])), { exported: false });
    r.define('console_read', ['file', 'buf', 'count', 'ppos'], () => 0, { exported: false });
    r.define('sys_open', ['filename', 'flags', 'mode'], (a) => this.sysOpen(a[0] as I64, Number(a[1]), Number(a[2])), { exported: false });
    r.define('sys_close', ['fd'], (a) => this.sysClose(Number(a[0])), { exported: false });
    r.define('sys_read', ['fd', 'buf', 'count'], (a) => this.sysRead(Number(a[0]), a[1] as I64, Number(a[2])), { exported: false });
    r.define('sys_write', ['fd', 'buf', 'count'], (a) => this.sysWrite(Number(a[0]), a[1] as I64, Number(a[2])), { exported: false });
    r.define('sys_pread64', ['fd', 'buf', 'count', 'pos'], (a) => this.sysPread(Number(a[0]), a[1] as I64, Number(a[2]), a[3] as I64, 'read'), { exported: false });
    r.define('sys_pwrite64', ['fd', 'buf', 'count', 'pos'], (a) => this.sysPread(Number(a[0]), a[1] as I64, Number(a[2]), a[3] as I64, 'write'), { exported: false });
    r.define('sys_stat', ['filename', 'statbuf'], (a) => this.sysStat(a[0] as I64, a[1] as I64), { exported: false });
    r.define('sys_lstat', ['filename', 'statbuf'], (a) => this.sysStat(a[0] as I64, a[1] as I64), { exported: false });
    r.define('sys_lseek', ['fd', 'offset', 'origin'], (a) => this.sysLseek(Number(a[0]), a[1] as I64, Number(a[2])), { exported: false });
    r.define('sys_ioctl', ['fd', 'cmd', 'arg'], (a) => this.sysIoctl(Number(a[0]), Number(a[1]) >>> 0, a[2] as I64), { exported: false });
    r.define('sys_mmap', ['addr', 'len', 'prot', 'flags', 'fd', 'off'], (a) => this.sysMmap(a[0] as number, a[1] as number, Number(a[2]), Number(a[3]), Number(a[4]), a[5] as number), { exported: false });
    r.define('sys_munmap', ['addr', 'len'], (a) => this.k.mmSub.doMunmap(this.k.current.mm!, a[0] as number, a[1] as number), { exported: false });
    r.define('sys_brk', ['brk'], (a) => this.k.mmSub.brk(a[0] as number), { exported: false });
    r.define('sys_dup', ['fildes'], (a) => this.sysDup(Number(a[0]), -1), { exported: false });
    r.define('sys_dup2', ['oldfd', 'newfd'], (a) => this.sysDup(Number(a[0]), Number(a[1])), { exported: false });
    r.define('sys_fcntl', ['fd', 'cmd', 'arg'], (a) => this.sysFcntl(Number(a[0]), Number(a[1]), Number(a[2])), { exported: false });
    r.define('sys_access', ['filename', 'mode'], (a) => this.sysAccess(a[0] as I64), { exported: false });
    r.define('sys_unlink', ['pathname'], () => -EPERM, { exported: false });
    r.define('sys_fstat', ['fd', 'statbuf'], (a) => this.sysFstat(Number(a[0]), a[1] as I64), { exported: false });
    this.defChrFops = this.makeFops({ open: 'chrdev_open', llseek: 'noop_llseek' });
    this.miscFops = this.makeFops({ open: 'misc_open', llseek: 'noop_llseek' });
    this.consoleFops = this.makeFops({ read: 'console_read', write: 'console_write', llseek: 'noop_llseek' });
    this.registerRegion(MISC_MAJOR, 0, 256, 'misc', this.makeCdev(this.miscFops), 'kernel');
    this.registerRegion(5, 1, 1, '/dev/console', this.makeCdev(this.consoleFops), 'kernel');
    this.mknod('/dev/console', MKDEV(5, 1), 0o600, 'kernel');
  }

  get F(): KStruct {
    return this.k.structs.get('file');
  }

  private str(va: I64): string {
    return va ? this.k.km.readCString(va, 256) : '';
  }

  /** A file_operations struct in kernel memory whose methods are kernel routines. */
  makeFops(methods: Record<string, string>): number {
    const FO = this.k.structs.get('file_operations');
    const va = this.k.kdataAlloc(FO.sizeBytes, 16);
    for (const [field, routine] of Object.entries(methods)) FO.set(va, field, this.k.routines.must(routine).address);
    return va;
  }

  makeCdev(fops: number): number {
    const C = this.k.structs.get('cdev');
    const va = this.k.slab.kmallocNoTrack(C.sizeBytes, 'cdev');
    this.cdevInit(va, fops);
    return va;
  }

  /** A method of a file_operations (0 if the driver left it out). */
  fopFn(fops: number, method: string): number {
    if (!fops) return 0;
    return this.k.structs.get('file_operations').num(fops, method);
  }

  vmOpsFn(ops: number, method: string): number {
    if (!ops) return 0;
    return this.k.structs.get('vm_operations_struct').num(ops, method);
  }

  // ---- nodes and regions ------------------------------------------------------------------------

  /** A device node under /dev, with its inode and dentry in kernel memory. */
  mknod(path: string, dev: number, mode: number, owner: string): DevNode {
    const I = this.k.structs.get('inode');
    const D = this.k.structs.get('dentry');
    const inodeVa = this.k.slab.kmallocNoTrack(I.sizeBytes, 'inode');
    I.set(inodeVa, 'i_mode', S_IFCHR | mode);
    I.set(inodeVa, 'i_ino', this.nextIno++);
    I.set(inodeVa, 'i_nlink', 1);
    I.set(inodeVa, 'i_rdev', dev);
    I.set(inodeVa, 'i_fop', this.defChrFops);
    const dl = I.addr(inodeVa, 'i_devices');
    this.k.km.wptr(dl, dl);
    this.k.km.wptr(dl + this.k.arch.abi.ptrBytes, dl);
    const dentryVa = this.k.slab.kmallocNoTrack(D.sizeBytes, 'dentry');
    const name = path.split('/').pop()!;
    D.set(dentryVa, 'd_inode', inodeVa);
    D.set(dentryVa, 'd_name.len', name.length);
    const iname = D.addr(dentryVa, 'd_iname');
    this.k.km.writeCString(iname, name.slice(0, 31));
    D.set(dentryVa, 'd_name.name', iname);
    const node: DevNode = { path, dev, mode, inodeVa, dentryVa, owner };
    this.nodes.set(path, node);
    return node;
  }

  private rmnod(dev: number): void {
    for (const [p, n] of this.nodes) if (n.dev === dev && p !== '/dev/console') this.nodes.delete(p);
  }

  private dynamicMajor(): number {
    for (let m = 254; m > 0; m--) if (!this.regions.some((r) => r.major === m)) return m;
    return -EBUSY;
  }

  registerRegion(major: number, baseminor: number, count: number, name: string, cdevVa: number, owner: string): number {
    for (const r of this.regions) {
      if (r.major === major && baseminor < r.baseminor + r.count && r.baseminor < baseminor + count) return -EBUSY;
    }
    this.regions.push({ major, baseminor, count, name, cdevVa, owner });
    return 0;
  }

  private registerChrdev(major: number, nameVa: I64, fops: number, owner: string): number {
    const name = this.str(nameVa);
    const m = major === 0 ? this.dynamicMajor() : major;
    if (m < 0) return m;
    const cdev = this.makeCdev(fops);
    const err = this.registerRegion(m, 0, 256, name, cdev, owner);
    if (err) return err;
    this.cdevMap.push({ dev: MKDEV(m, 0), count: 256, cdevVa: cdev });
    // The node udev would make for the device (minor 0).
    this.mknod(`/dev/${name}`, MKDEV(m, 0), 0o600, owner);
    return major === 0 ? m : 0;
  }

  private unregisterChrdev(major: number): number {
    const i = this.regions.findIndex((r) => r.major === major && r.baseminor === 0 && r.count === 256);
    if (i >= 0) this.regions.splice(i, 1);
    for (let j = this.cdevMap.length - 1; j >= 0; j--) if (MAJOR(this.cdevMap[j].dev) === major) this.cdevMap.splice(j, 1);
    for (const [p, n] of this.nodes) if (MAJOR(n.dev) === major) this.nodes.delete(p);
    return 0;
  }

  private allocChrdevRegion(devPtr: I64, baseminor: number, count: number, nameVa: I64, owner: string): number {
    const m = this.dynamicMajor();
    if (m < 0) return m;
    this.registerRegion(m, baseminor, count, this.str(nameVa), 0, owner);
    this.k.km.w32(devPtr, MKDEV(m, baseminor));
    return 0;
  }

  private unregisterRegion(from: number, count: number): number {
    const i = this.regions.findIndex((r) => r.major === MAJOR(from) && r.baseminor === MINOR(from) && r.count === count);
    if (i >= 0) this.regions.splice(i, 1);
    return 0;
  }

  private cdevInit(va: number, fops: number): number {
    const C = this.k.structs.get('cdev');
    C.zero(va);
    const l = C.addr(va, 'list');
    this.k.km.wptr(l, l);
    this.k.km.wptr(l + this.k.arch.abi.ptrBytes, l);
    const e = C.addr(va, 'kobj.entry');
    this.k.km.wptr(e, e);
    this.k.km.wptr(e + this.k.arch.abi.ptrBytes, e);
    C.set(va, 'kobj.kref.refcount', 1);
    C.set(va, 'ops', fops);
    return 0;
  }

  private cdevAdd(cdev: number, dev: number, count: number): number {
    const C = this.k.structs.get('cdev');
    C.set(cdev, 'dev', dev);
    C.set(cdev, 'count', count);
    this.cdevMap.push({ dev, count, cdevVa: cdev });
    return 0;
  }

  private cdevDel(cdev: number): number {
    for (let i = this.cdevMap.length - 1; i >= 0; i--) if (this.cdevMap[i].cdevVa === cdev) this.cdevMap.splice(i, 1);
    return 0;
  }

  private deviceCreate(cls: number, dev: number, drvdata: I64, name: string, owner: string): number {
    const va = this.k.slab.kmallocNoTrack(128, 'device');
    this.devices.set(va, { dev, name, classVa: cls, drvdata });
    if (dev !== 0) this.mknod(`/dev/${name}`, dev, 0o600, owner);
    return va;
  }

  private deviceDestroy(dev: number): number {
    for (const [va, d] of this.devices) if (d.dev === dev) this.devices.delete(va);
    this.rmnod(dev);
    return 0;
  }

  private miscRegister(misc: number, owner: string): number {
    const M = this.k.structs.get('miscdevice');
    let minor = M.num(misc, 'minor');
    if (minor === MISC_DYNAMIC_MINOR) {
      let found = -1;
      for (let i = 0; i < 64; i++) {
        const m = 63 - i;
        if (!this.miscDevices.some((d) => d.minor === m)) {
          found = m;
          break;
        }
      }
      if (found < 0) return -EBUSY;
      minor = found;
      M.set(misc, 'minor', minor);
    } else if (this.miscDevices.some((d) => d.minor === minor)) return -EBUSY;
    const nameVa = M.num(misc, 'nodename') || M.num(misc, 'name');
    const name = this.str(nameVa);
    this.miscDevices.push({ va: misc, minor, name, owner });
    const dev = MKDEV(MISC_MAJOR, minor);
    const mode = M.num(misc, 'mode') || 0o600;
    const devVa = this.deviceCreate(0, dev, misc, name, owner);
    const node = this.nodes.get(`/dev/${name}`);
    if (node) node.mode = mode & 0o777;
    M.set(misc, 'this_device', devVa);
    return 0;
  }

  private miscDeregister(misc: number): number {
    const i = this.miscDevices.findIndex((d) => d.va === misc);
    if (i < 0) return -EINVAL;
    const d = this.miscDevices.splice(i, 1)[0];
    this.deviceDestroy(MKDEV(MISC_MAJOR, d.minor));
    return 0;
  }

  /** Everything a module registered goes when it is unloaded (so a forgotten unregister shows). */
  forgetOwner(owner: string): string[] {
    const leftovers: string[] = [];
    for (const r of [...this.regions]) {
      if (r.owner === owner) {
        leftovers.push(`chrdev region ${r.major}:${r.baseminor} (${r.name})`);
        this.regions.splice(this.regions.indexOf(r), 1);
      }
    }
    for (const d of [...this.miscDevices]) {
      if (d.owner === owner) {
        leftovers.push(`misc device ${d.name}`);
        this.miscDeregister(d.va);
      }
    }
    for (const [p, n] of [...this.nodes]) {
      if (n.owner === owner) {
        leftovers.push(`device node ${p}`);
        this.nodes.delete(p);
      }
    }
    return leftovers;
  }

  /** Full paths of regular files (programs, libc) by dentry, for /proc/PID/maps. */
  readonly paths = new Map<number, string>();
  private readonly regular = new Map<string, { dentryVa: number; inodeVa: number }>();

  /** A struct file for a regular file on the root file system (what a mapping of it points at). */
  pseudoFile(path: string): number {
    let r = this.regular.get(path);
    if (!r) {
      const I = this.k.structs.get('inode');
      const D = this.k.structs.get('dentry');
      const inodeVa = this.k.slab.kmallocNoTrack(I.sizeBytes, 'inode');
      I.set(inodeVa, 'i_mode', 0o100755);
      I.set(inodeVa, 'i_ino', 131000 + this.regular.size * 17);
      I.set(inodeVa, 'i_nlink', 1);
      I.set(inodeVa, 'i_rdev', 0);
      const dentryVa = this.k.slab.kmallocNoTrack(D.sizeBytes, 'dentry');
      const name = path.split('/').pop()!;
      D.set(dentryVa, 'd_inode', inodeVa);
      D.set(dentryVa, 'd_name.len', name.length);
      const iname = D.addr(dentryVa, 'd_iname');
      this.k.km.writeCString(iname, name.slice(0, 31));
      D.set(dentryVa, 'd_name.name', iname);
      r = { dentryVa, inodeVa };
      this.regular.set(path, r);
      this.paths.set(dentryVa, path);
    }
    return this.allocFile(r.dentryVa, 0, 0);
  }

  /** The path of a file as /proc/PID/maps prints it, with the device and inode columns. */
  describeFile(file: number): { path: string; dev: string; ino: number } {
    const dentry = this.F.num(file, 'f_path.dentry');
    const inode = this.k.structs.get('dentry').num(dentry, 'd_inode');
    const ino = inode ? this.k.structs.get('inode').num(inode, 'i_ino') : 0;
    const regular = this.paths.get(dentry);
    if (regular) return { path: regular, dev: '08:01', ino };
    for (const n of this.nodes.values()) if (n.dentryVa === dentry) return { path: n.path, dev: '00:05', ino };
    return { path: this.k.km.readCString(this.k.structs.get('dentry').addr(dentry, 'd_iname'), 32), dev: '00:00', ino };
  }

  // ---- files ----------------------------------------------------------------------------------

  /** A new struct file for a node (dentry), with one reference. */
  allocFile(dentryVa: number, fops: number, flags: number): number {
    const F = this.F;
    const va = this.k.slab.kmallocNoTrack(F.sizeBytes, 'filp');
    F.zero(va);
    const l = F.addr(va, 'f_u.fu_list');
    this.k.km.wptr(l, l);
    this.k.km.wptr(l + this.k.arch.abi.ptrBytes, l);
    F.set(va, 'f_path.dentry', dentryVa);
    F.set(va, 'f_op', fops);
    F.set(va, 'f_count.counter', 1);
    F.set(va, 'f_flags', flags);
    const acc = flags & O_ACCMODE;
    const mode = (acc === 0 || acc === 2 ? 0x1 : 0) | (acc === 1 || acc === 2 ? 0x2 : 0) | 0x4 | 0x8 | 0x10;
    F.set(va, 'f_mode', mode);
    F.set(va, 'f_cred', this.k.structs.get('task_struct').get(this.k.current.va, 'cred'));
    return va;
  }

  getFile(file: number): void {
    this.F.set(file, 'f_count.counter', this.F.num(file, 'f_count.counter') + 1);
  }

  /** Drops a reference without calling ->release (a failed open). */
  putFileNoRelease(file: number): void {
    const n = this.F.num(file, 'f_count.counter') - 1;
    this.F.set(file, 'f_count.counter', n);
    if (n <= 0) {
      this.generated.delete(file);
      this.k.slab.kfree(file, 'fput');
    }
  }

  /** fput: the last reference calls ->release and frees the file. */
  *fput(file: number): Gen<void> {
    const F = this.F;
    const n = F.num(file, 'f_count.counter') - 1;
    F.set(file, 'f_count.counter', n);
    if (n > 0) return;
    const release = this.fopFn(F.num(file, 'f_op'), 'release');
    if (release) {
      const inode = this.k.structs.get('dentry').num(F.num(file, 'f_path.dentry'), 'd_inode');
      yield* call(release, inode, file);
    }
    this.generated.delete(file);
    this.k.slab.kfree(file, 'fput');
  }

  *closeAll(task: Task): Gen<void> {
    for (const fd of [...task.fds.keys()].sort((a, b) => a - b)) {
      const file = task.fds.get(fd)!;
      task.fds.delete(fd);
      yield* this.fput(file);
    }
  }

  private fileOf(fd: number): number {
    return this.k.current.fds.get(fd) ?? 0;
  }

  private allocFd(task: Task, file: number, min = 0): number {
    for (let fd = min; fd < 1024; fd++) {
      if (!task.fds.has(fd)) {
        task.fds.set(fd, file);
        return fd;
      }
    }
    return -EMFILE;
  }

  /** Opens /dev/console as fds 0, 1 and 2 of a new process (stdout and stderr kept apart). */
  openConsole(task: Task): void {
    const node = this.nodes.get('/dev/console')!;
    for (const fd of [0, 1, 2]) {
      const f = this.allocFile(node.dentryVa, this.consoleFops, fd === 0 ? 0 : 1);
      this.F.set(f, 'private_data', fd);
      task.fds.set(fd, f);
    }
  }

  private permitted(node: DevNode, flags: number): boolean {
    const cred = this.k.current.cred;
    if (cred.euid === 0) return true;
    const acc = flags & O_ACCMODE;
    const bits = node.mode & 0o7;
    if ((acc === 0 || acc === 2) && !(bits & 4)) return false;
    if ((acc === 1 || acc === 2) && !(bits & 2)) return false;
    return true;
  }

  /** getname: a path from user memory, or undefined when it cannot be read. */
  private *getname(pathVa: I64): Gen<string | undefined> {
    const buf = this.k.slab.kmallocNoTrack(4096, 'getname');
    const n = (yield* call(this.k.routines.must('strncpy_from_user'), buf, pathVa, 4095)) as number;
    const path = n < 0 ? undefined : this.k.km.readCString(buf, 4096);
    this.k.slab.kfree(buf, 'putname');
    return path;
  }

  private *sysOpen(pathVa: I64, flags: number, mode: number): NativeGen {
    void mode;
    const task = this.k.current;
    const path = yield* this.getname(pathVa);
    if (path === undefined) return -EFAULT;
    if (path.startsWith('/proc/')) return yield* this.k.procfs.open(task, path, flags, (f) => this.allocFd(task, f));
    const node = this.nodes.get(path);
    if (!node) return -ENOENT;
    if (!this.permitted(node, flags)) return -EACCES;
    const fops = this.k.structs.get('inode').num(node.inodeVa, 'i_fop');
    const file = this.allocFile(node.dentryVa, fops, flags);
    const open = this.fopFn(fops, 'open');
    if (open) {
      const ret = (yield* call(open, node.inodeVa, file)) as number;
      if (ret !== 0) {
        this.putFileNoRelease(file);
        return ret;
      }
    }
    const fd = this.allocFd(task, file);
    if (fd < 0) yield* this.fput(file);
    return fd;
  }

  /** chrdev_open: find the cdev for the inode's dev_t and switch the file to its fops. */
  private *chrdevOpen(inode: number, file: number): NativeGen {
    const I = this.k.structs.get('inode');
    const dev = I.num(inode, 'i_rdev');
    const entry = this.cdevMap.find((c) => dev >= c.dev && dev < c.dev + c.count) ?? this.regionCdev(dev);
    if (!entry) return -ENXIO;
    I.set(inode, 'i_cdev', entry.cdevVa);
    const fops = this.k.structs.get('cdev').num(entry.cdevVa, 'ops');
    if (!fops) return -ENXIO;
    this.F.set(file, 'f_op', fops);
    const open = this.fopFn(fops, 'open');
    if (open) return yield* call(open, inode, file);
    return 0;
  }

  private regionCdev(dev: number): { cdevVa: number } | undefined {
    const r = this.regions.find((x) => x.cdevVa !== 0 && x.major === MAJOR(dev) && MINOR(dev) >= x.baseminor && MINOR(dev) < x.baseminor + x.count);
    return r ? { cdevVa: r.cdevVa } : undefined;
  }

  /** misc_open: the misc device's fops, with private_data pointing at it (as 3.7 does). */
  private *miscOpen(inode: number, file: number): NativeGen {
    const minor = MINOR(this.k.structs.get('inode').num(inode, 'i_rdev'));
    const d = this.miscDevices.find((x) => x.minor === minor);
    if (!d) return -ENODEV;
    const fops = this.k.structs.get('miscdevice').num(d.va, 'fops');
    this.F.set(file, 'f_op', fops);
    const open = this.fopFn(fops, 'open');
    if (!open) return 0;
    this.F.set(file, 'private_data', d.va);
    return yield* call(open, inode, file);
  }

  private *sysClose(fd: number): NativeGen {
    const task = this.k.current;
    const file = task.fds.get(fd);
    if (file === undefined) return -EBADF;
    task.fds.delete(fd);
    yield* this.fput(file);
    return 0;
  }

  /** The file position travels as a loff_t on the kernel stack, like vfs_read's `pos`. */
  private *withPos(file: number, fn: (ppos: number) => Gen<Value | undefined>): Gen<Value | undefined> {
    const th = this.k.current.thread;
    th.ksp -= 16;
    const ppos = th.ksp;
    this.k.km.w64(ppos, this.F.get(file, 'f_pos'));
    try {
      const r = yield* fn(ppos);
      this.F.set(file, 'f_pos', this.k.km.r64(ppos));
      return r;
    } finally {
      th.ksp += 16;
    }
  }

  private sysRead(fd: number, buf: I64, count: number): NativeGen {
    return this.vfsReadWrite('read', this.fileOf(fd), buf, count, undefined);
  }

  private sysWrite(fd: number, buf: I64, count: number): NativeGen {
    return this.vfsReadWrite('write', this.fileOf(fd), buf, count, undefined);
  }

  /**
   * pread64/pwrite64 (3.7 order: a negative position is -EINVAL before the fd is looked at; a
   * file opened with nonseekable_open has no FMODE_PREAD/PWRITE: -ESPIPE), then vfs_read/write at
   * `pos`, leaving f_pos alone.
   */
  private *sysPread(fd: number, buf: I64, count: number, pos: I64, op: 'read' | 'write'): NativeGen {
    if (Number(pos) < 0) return -EINVAL;
    const file = this.fileOf(fd);
    if (!file) return -EBADF;
    if (!(this.F.num(file, 'f_mode') & (op === 'read' ? 0x8 : 0x10))) return -ESPIPE;
    return yield* this.vfsReadWrite(op, file, buf, count, pos);
  }

  /**
   * vfs_read / vfs_write: the mode and the user buffer are checked, then the driver's method runs
   * with a loff_t on the kernel stack — the file position, written back after (read/write), or
   * `pos` (pread/pwrite).
   */
  private *vfsReadWrite(op: 'read' | 'write', file: number | undefined, buf: I64, count: number, pos: I64 | undefined): NativeGen {
    if (!file) return -EBADF;
    if (!(this.F.num(file, 'f_mode') & (op === 'read' ? 0x1 : 0x2))) return -EBADF;
    const fn = this.fopFn(this.F.num(file, 'f_op'), op);
    if (!fn) return -EINVAL;
    if (!this.k.uaccess.accessOk(buf, count)) return -EFAULT;
    if (pos === undefined) return yield* this.withPos(file, (ppos) => call(fn, file, buf, count, ppos));
    const th = this.k.current.thread;
    th.ksp -= 16;
    try {
      this.k.km.w64(th.ksp, pos);
      return yield* call(fn, file, buf, count, th.ksp);
    } finally {
      th.ksp += 16;
    }
  }

  private *sysLseek(fd: number, offset: I64, origin: number): NativeGen {
    const file = this.fileOf(fd);
    if (!file) return -EBADF;
    if (origin > 2) return -EINVAL;
    const llseek = this.F.num(file, 'f_mode') & 0x4 ? this.fopFn(this.F.num(file, 'f_op'), 'llseek') : 0;
    if (!llseek) return -ESPIPE;
    return yield* call(llseek, file, offset, origin);
  }

  private defaultLlseek(file: number, offset: I64, origin: number): I64 {
    const F = this.F;
    let pos: number;
    if (origin === 0) pos = Number(offset);
    else if (origin === 1) pos = Number(F.get(file, 'f_pos')) + Number(offset);
    else {
      const inode = this.k.structs.get('dentry').num(F.num(file, 'f_path.dentry'), 'd_inode');
      pos = Number(this.k.structs.get('inode').get(inode, 'i_size')) + Number(offset);
    }
    if (pos < 0) return -EINVAL;
    F.set(file, 'f_pos', pos);
    return pos;
  }

  private *sysIoctl(fd: number, cmd: number, arg: I64): NativeGen {
    const file = this.fileOf(fd);
    if (!file) return -EBADF;
    const fn = this.fopFn(this.F.num(file, 'f_op'), 'unlocked_ioctl');
    if (!fn) return -ENOTTY;
    const r = (yield* call(fn, file, cmd, arg)) as number;
    return r === -ENOIOCTLCMD ? -ENOTTY : r;
  }

  private *sysMmap(addr: number, len: number, prot: number, flags: number, fd: number, off: number): NativeGen {
    if (off % PAGE_SIZE !== 0) return -EINVAL;
    let file = 0;
    if (!(flags & MAP_ANONYMOUS)) {
      file = this.fileOf(fd);
      if (!file) return -EBADF;
    }
    return yield* call(this.k.routines.must('do_mmap_pgoff'), file, addr, len, prot, flags, Math.floor(off / PAGE_SIZE));
  }

  private sysDup(oldfd: number, newfd: number): Gen<number> {
    return (function* (self: Vfs): Gen<number> {
      const task = self.k.current;
      const file = task.fds.get(oldfd);
      if (file === undefined) return -EBADF;
      if (newfd === oldfd) return newfd;
      if (newfd >= 0) {
        const old = task.fds.get(newfd);
        if (old !== undefined) {
          task.fds.delete(newfd);
          yield* self.fput(old);
        }
        self.getFile(file);
        task.fds.set(newfd, file);
        return newfd;
      }
      self.getFile(file);
      return self.allocFd(task, file);
    })(this);
  }

  private sysFcntl(fd: number, cmd: number, arg: number): number {
    const file = this.fileOf(fd);
    if (!file) return -EBADF;
    switch (cmd) {
      case 0:
        this.getFile(file);
        return this.allocFd(this.k.current, file, arg);
      case 1:
      case 2:
        return 0;
      case 3:
        return this.F.num(file, 'f_flags');
      case 4:
        this.F.set(file, 'f_flags', (this.F.num(file, 'f_flags') & ~0o4000) | (arg & 0o4000));
        return 0;
      default:
        return -EINVAL;
    }
  }

  private *sysAccess(pathVa: I64): NativeGen {
    const bytes = yield* this.k.uaccess.readUser(pathVa, 1);
    if (!bytes) return -EFAULT;
    const path = this.k.lib.cstring(pathVa, 4096);
    const p = new TextDecoder('latin1').decode(path);
    return this.nodes.has(p) || p.startsWith('/proc/') ? 0 : -ENOENT;
  }

  private *sysFstat(fd: number, statbuf: I64): NativeGen {
    const file = this.fileOf(fd);
    if (!file) return -EBADF;
    return yield* this.writeStat(this.k.structs.get('dentry').num(this.F.num(file, 'f_path.dentry'), 'd_inode'), statbuf);
  }

  /** stat/lstat of a path: the device nodes (no symbolic links here), and /proc's files. */
  private *sysStat(pathVa: I64, statbuf: I64): NativeGen {
    const path = yield* this.getname(pathVa);
    if (path === undefined) return -EFAULT;
    const node = this.nodes.get(path);
    if (node) return yield* this.writeStat(node.inodeVa, statbuf);
    if (path.startsWith('/proc/')) return yield* this.writeStat(0, statbuf);
    return -ENOENT;
  }

  /** struct stat as the C library declares it: longs for dev, ino, nlink, rdev and the rest. */
  private *writeStat(inode: number, statbuf: I64): NativeGen {
    const I = this.k.structs.get('inode');
    const lb = this.k.arch.abi.longBytes;
    const at = lb === 8 ? { ino: 8, nlink: 16, mode: 24, rdev: 40, size: 144 } : { ino: 4, nlink: 8, mode: 12, rdev: 28, size: 80 };
    const st = new Uint8Array(at.size);
    const d = new DataView(st.buffer);
    const long = (off: number, v: number) => (lb === 8 ? d.setBigUint64(off, BigInt(v), true) : d.setUint32(off, v, true));
    long(at.ino, inode ? I.num(inode, 'i_ino') : 0);
    long(at.nlink, 1);
    d.setUint32(at.mode, inode ? I.num(inode, 'i_mode') : 0o100444, true);
    long(at.rdev, inode ? newEncodeDev(I.num(inode, 'i_rdev')) : 0);
    const ok = yield* this.k.uaccess.writeUser(statbuf, st);
    return ok ? 0 : -EFAULT;
  }

  // ---- the console --------------------------------------------------------------------------------

  /** Output of a user program: attributed to the writing task's stdout or stderr. */
  private *consoleWrite(file: number, buf: I64, count: number): NativeGen {
    const task = this.k.current;
    const bytes = yield* this.k.uaccess.readUser(buf, count);
    if (!bytes) return -EFAULT;
    const stream = this.F.num(file, 'private_data') === 2 ? 'stderr' : 'stdout';
    const p = task.program;
    if (p) {
      const out = p[stream];
      const room = this.outputLimitBytes - (p.stdout.length + p.stderr.length);
      if (room > 0) for (let i = 0; i < Math.min(room, bytes.length); i++) out.push(bytes[i]);
      if (bytes.length > room && !this.truncated.has(task.pid)) {
        this.truncated.add(task.pid);
        this.k.printk(`\x014kmemlab: output of ${task.comm}[${task.pid}] exceeds ${this.outputLimitBytes} bytes; the rest is dropped\n`);
      }
    }
    this.onOutput?.(task, stream, bytes);
    return count;
  }

  private readonly truncated = new Set<number>();
  /** The session listens here to stream program output. */
  onOutput: ((task: Task, stream: 'stdout' | 'stderr', bytes: Uint8Array) => void) | undefined;

  private *simpleRead(to: I64, count: number, ppos: I64, from: I64, available: number): NativeGen {
    const pos = Number(this.k.km.r64(ppos));
    if (pos < 0) return -EINVAL;
    if (pos >= available || !count) return 0;
    const n = Math.min(count, available - pos);
    const left = (yield* call(this.k.routines.must('copy_to_user'), to, add64(from, pos), n)) as number;
    if (left === n) return -EFAULT;
    this.k.km.w64(ppos, pos + n - left);
    return n - left;
  }

  private *simpleWrite(to: I64, available: number, ppos: I64, from: I64, count: number): NativeGen {
    const pos = Number(this.k.km.r64(ppos));
    if (pos < 0) return -EINVAL;
    if (pos >= available || !count) return 0;
    const n = Math.min(count, available - pos);
    const left = (yield* call(this.k.routines.must('copy_from_user'), add64(to, pos), from, n)) as number;
    if (left === n) return -EFAULT;
    this.k.km.w64(ppos, pos + n - left);
    return n - left;
  }
}
