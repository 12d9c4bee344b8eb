/**
 * The virtual-terminal console as Linux 3.7 builds it at boot (drivers/tty/vt/vt.c, vt_ioctl.c,
 * tty_io.c), with the structures in kernel memory so a driver can walk them the 3.7 way:
 * vc_cons[fg_console].d is the foreground console's vc_data, whose embedded tty_port points at
 * the tty_struct (`->port.tty`), whose `driver->ops->ioctl(tty, cmd, arg)` is vt_ioctl.
 *
 * - Nodes: /dev/tty1 (4:1) is console 0; /dev/tty0 (4:0) and /dev/console (5:1) mean "the
 *   foreground console". A program's fds 0-2 are /dev/console, so ioctl(1, KDGETLED, ...) reaches
 *   the same vt_ioctl.
 * - Permission for the LED setters (FACTS §C): current's controlling tty is this tty, or
 *   CAP_SYS_TTY_CONFIG. Programs start as session leaders with no controlling tty (as after
 *   setsid()), so a non-root program gets -EPERM until it acquires one: opening /dev/tty1
 *   without O_NOCTTY, or TIOCSCTTY on a console fd. Root passes by the capability.
 * - In a timer, `current` is whatever task was interrupted, so the permission, the put_user's
 *   addr_limit and the address space all belong to that task (FACTS "From a timer").
 */
import type { NativeGen } from '../../exec/types';
import type { I64 } from '../../util/int64';
import { EFAULT, ENODEV, ENOTTY, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import type { KStruct } from '../kmem';
import { call } from '../routines';
import type { Task } from '../task';
import { MAJOR, MINOR, MKDEV } from '../vfs';
import { KB_101, KDGETLED, KDGKBLED, KDGKBTYPE, KDSETLED, KDSKBLED, Keyboard } from './keyboard';
import type { ProcEntries } from './procentries';

export const TTY_MAJOR = 4;
const TTYAUX_MAJOR = 5;
const MAX_NR_CONSOLES = 63;
const TTY_MAGIC = 0x5401;
const TTY_DRIVER_MAGIC = 0x5402;
const TTY_DRIVER_TYPE_CONSOLE = 0x0002;
const SYSTEM_TYPE_CONSOLE = 0x0001;
const TTY_DRIVER_RESET_TERMIOS = 0x0002;
const TTY_DRIVER_REAL_RAW = 0x0004;
const CAP_SYS_ADMIN = 21;
const CAP_SYS_TTY_CONFIG = 26;
const O_NOCTTY = 0o400;
export const TIOCSCTTY = 0x540e;
export const TIOCNOTTY = 0x5422;
const TIOCGWINSZ = 0x5413;
const WINSIZE_BYTES = 8;
const ENOIOCTLCMD = 515;
/** How many consoles exist at boot (getty would open tty1 only on this machine). */
const ALLOCATED_CONSOLES = 1;
const CONSOLE_COLS = 80;
const CONSOLE_ROWS = 25;

export class Vt {
  readonly keyboard: Keyboard;
  /** int fg_console. */
  readonly fgConsoleVa: number;
  /** struct vc vc_cons[MAX_NR_CONSOLES]. */
  readonly vcConsVa: number;
  /** console_driver, the tty_driver of every vt. */
  readonly consoleDriverVa: number;
  /** The tty_struct of each allocated console, by index. */
  readonly ttys: number[] = [];
  /** signal->tty: each task's controlling tty (absent: none). */
  private readonly ctty = new WeakMap<Task, number>();
  /** tty->session: the task (session leader) whose controlling tty each tty is. */
  private readonly sessionOf = new Map<number, Task>();

  constructor(private readonly k: Kernel, proc: ProcEntries) {
    this.keyboard = new Keyboard(k, proc);
    this.defineRoutines();
    this.fgConsoleVa = k.kdataAlloc(4, 4);
    this.vcConsVa = k.kdataAlloc(MAX_NR_CONSOLES * this.S('vc').sizeBytes, 16);
    this.consoleDriverVa = this.makeConsoleDriver();
    for (let i = 0; i < ALLOCATED_CONSOLES; i++) this.ttys.push(this.allocateConsole(i));
    this.registerNodes();
  }

  private S(name: string): KStruct {
    return this.k.structs.get(name);
  }

  private defineRoutines(): void {
    const r = this.k.routines;
    const internal = { exported: false };
    r.define('__kmemlab_fg_console', [], () => this.fgConsoleVa);
    r.define('__kmemlab_vc_cons', [], () => this.vcConsVa);
    r.define('tty_open', ['inode', 'filp'], (a) => this.ttyOpen(a[0] as number, a[1] as number), internal);
    r.define('tty_release', ['inode', 'filp'], (a) => this.ttyRelease(a[1] as number), internal);
    r.define('tty_ioctl', ['file', 'cmd', 'arg'], (a) => this.ttyIoctl(a[0] as number, Number(a[1]) >>> 0, a[2] as I64), internal);
    r.define('vt_ioctl', ['tty', 'cmd', 'arg'], (a) => this.vtIoctl(a[0] as number, Number(a[1]) >>> 0, a[2] as I64), internal);
  }

  /** kdata addresses for /proc/kallsyms (both are exported in Linux). */
  addSymbols(ks: { add(s: { name: string; address: number; sizeBytes: number; type: string }): void }): void {
    ks.add({ name: 'fg_console', address: this.fgConsoleVa, sizeBytes: 4, type: 'D' });
    ks.add({ name: 'vc_cons', address: this.vcConsVa, sizeBytes: MAX_NR_CONSOLES * this.S('vc').sizeBytes, type: 'B' });
    ks.add({ name: 'console_driver', address: this.consoleDriverVa, sizeBytes: this.S('tty_driver').sizeBytes, type: 'D' });
  }

  // ---- boot ----------------------------------------------------------------------------------------

  /** vty_init: console_driver with con_ops, whose ioctl is vt_ioctl. */
  private makeConsoleDriver(): number {
    const k = this.k;
    const OPS = this.S('tty_operations');
    const ops = k.kdataAlloc(OPS.sizeBytes, 16);
    OPS.set(ops, 'ioctl', k.routines.must('vt_ioctl').address);
    const D = this.S('tty_driver');
    const drv = k.kdataAlloc(D.sizeBytes, 16);
    const ttysVa = k.kdataAlloc(MAX_NR_CONSOLES * k.arch.abi.ptrBytes, 16);
    D.set(drv, 'magic', TTY_DRIVER_MAGIC);
    D.set(drv, 'kref.refcount', 1);
    D.set(drv, 'driver_name', this.kstring('vc'));
    D.set(drv, 'name', this.kstring('tty'));
    D.set(drv, 'name_base', 1);
    D.set(drv, 'major', TTY_MAJOR);
    D.set(drv, 'minor_start', 1);
    D.set(drv, 'num', MAX_NR_CONSOLES);
    D.set(drv, 'type', TTY_DRIVER_TYPE_CONSOLE);
    D.set(drv, 'subtype', SYSTEM_TYPE_CONSOLE);
    D.set(drv, 'flags', TTY_DRIVER_REAL_RAW | TTY_DRIVER_RESET_TERMIOS);
    D.set(drv, 'ttys', ttysVa);
    D.set(drv, 'ops', ops);
    this.selfList(D.addr(drv, 'tty_drivers'));
    return drv;
  }

  /** vc_allocate + the tty getty's open leaves behind: vc_data, its tty_struct, vc_cons[i].d. */
  private allocateConsole(index: number): number {
    const k = this.k;
    const V = this.S('vc_data');
    const vc = k.slab.kmallocNoTrack(V.sizeBytes, 'vc_data');
    V.zero(vc);
    V.set(vc, 'vc_num', index);
    V.set(vc, 'vc_cols', CONSOLE_COLS);
    V.set(vc, 'vc_rows', CONSOLE_ROWS);
    V.set(vc, 'vc_size_row', CONSOLE_COLS * 2);
    V.set(vc, 'vc_scan_lines', CONSOLE_ROWS * 16);
    V.set(vc, 'vc_bottom', CONSOLE_ROWS);
    V.set(vc, 'port.count', 1);
    V.set(vc, 'port.kref.refcount', 1);
    const T = this.S('tty_struct');
    const tty = k.slab.kmallocNoTrack(T.sizeBytes, 'tty_struct');
    T.zero(tty);
    T.set(tty, 'magic', TTY_MAGIC);
    T.set(tty, 'kref.refcount', 1);
    T.set(tty, 'driver', this.consoleDriverVa);
    T.set(tty, 'ops', this.S('tty_driver').num(this.consoleDriverVa, 'ops'));
    T.set(tty, 'index', index);
    k.km.writeCString(T.addr(tty, 'name'), `tty${index + 1}`);
    T.set(tty, 'count', 1);
    T.set(tty, 'winsize.ws_row', CONSOLE_ROWS);
    T.set(tty, 'winsize.ws_col', CONSOLE_COLS);
    T.set(tty, 'driver_data', vc);
    T.set(tty, 'port', V.addr(vc, 'port'));
    this.selfList(T.addr(tty, 'tty_files'));
    V.set(vc, 'port.tty', tty);
    this.S('vc').set(this.vcConsVa + index * this.S('vc').sizeBytes, 'd', vc);
    k.km.wptr(this.S('tty_driver').num(this.consoleDriverVa, 'ttys') + index * k.arch.abi.ptrBytes, tty);
    return tty;
  }

  /** The char nodes, and the console's file operations learn the tty ioctls. */
  private registerNodes(): void {
    const vfs = this.k.vfs;
    const fops = vfs.makeFops({ open: 'tty_open', read: 'console_read', write: 'console_write', unlocked_ioctl: 'tty_ioctl', release: 'tty_release', llseek: 'no_llseek' });
    vfs.registerRegion(TTY_MAJOR, 0, MAX_NR_CONSOLES + 1, 'tty', vfs.makeCdev(fops), 'kernel');
    vfs.mknod('/dev/tty0', MKDEV(TTY_MAJOR, 0), 0o620, 'kernel');
    vfs.mknod('/dev/tty1', MKDEV(TTY_MAJOR, 1), 0o620, 'kernel');
    const console = vfs.regions.find((r) => r.major === TTYAUX_MAJOR && r.baseminor === 1);
    if (!console) throw new Error('vt: /dev/console is not registered');
    const consoleFops = this.S('cdev').num(console.cdevVa, 'ops');
    this.S('file_operations').set(consoleFops, 'unlocked_ioctl', this.k.routines.must('tty_ioctl').address);
  }

  private kstring(s: string): number {
    const va = this.k.kdataAlloc(s.length + 1, 1);
    this.k.km.writeCString(va, s);
    return va;
  }

  private selfList(head: number): void {
    this.k.km.wptr(head, head);
    this.k.km.wptr(head + this.k.arch.abi.ptrBytes, head);
  }

  // ---- lookups -------------------------------------------------------------------------------------

  get fgConsole(): number {
    return this.k.km.r32s(this.fgConsoleVa);
  }

  /** vc_cons[i].d->port.tty, read from memory (a driver may have changed it). */
  ttyOfConsole(index: number): number {
    const vc = this.S('vc').num(this.vcConsVa + index * this.S('vc').sizeBytes, 'd');
    return vc ? this.S('vc_data').num(vc, 'port.tty') : 0;
  }

  /** The tty a device number stands for: tty0 and the console follow the foreground console. */
  private ttyOfDev(dev: number): number {
    const major = MAJOR(dev);
    const minor = MINOR(dev);
    if ((major === TTY_MAJOR && minor === 0) || (major === TTYAUX_MAJOR && minor === 1)) return this.ttyOfConsole(this.fgConsole);
    if (major === TTY_MAJOR && minor <= ALLOCATED_CONSOLES) return this.ttyOfConsole(minor - 1);
    return 0;
  }

  private devOfFile(file: number): number {
    const dentry = this.k.vfs.F.num(file, 'f_path.dentry');
    const inode = this.S('dentry').num(dentry, 'd_inode');
    return inode ? this.S('inode').num(inode, 'i_rdev') : 0;
  }

  /** The controlling tty of a task (signal->tty), 0 if none. */
  controllingTty(task: Task): number {
    return this.ctty.get(task) ?? 0;
  }

  // ---- file operations -----------------------------------------------------------------------------

  /**
   * tty_open: private_data points at the tty. A session leader without a controlling tty that
   * opens a vt other than tty0 without O_NOCTTY acquires it, as __proc_set_tty does.
   */
  private ttyOpen(inode: number, file: number): number {
    const dev = this.S('inode').num(inode, 'i_rdev');
    const tty = this.ttyOfDev(dev);
    if (!tty) return -ENODEV;
    const T = this.S('tty_struct');
    T.set(tty, 'count', T.num(tty, 'count') + 1);
    this.k.vfs.F.set(file, 'private_data', tty);
    const noctty = (this.k.vfs.F.num(file, 'f_flags') & O_NOCTTY) !== 0 || dev === MKDEV(TTY_MAJOR, 0);
    const task = this.k.current;
    if (!noctty && this.isSessionLeader(task) && !this.controllingTty(task) && !this.sessionHolder(tty)) this.setCtty(task, tty);
    return 0;
  }

  private ttyRelease(file: number): number {
    const tty = this.k.vfs.F.num(file, 'private_data');
    const T = this.S('tty_struct');
    if (tty) T.set(tty, 'count', Math.max(0, T.num(tty, 'count') - 1));
    return 0;
  }

  /** tty_ioctl: the tty-level commands, then the driver's ioctl through tty->ops. */
  private *ttyIoctl(file: number, cmd: number, arg: I64): NativeGen {
    const tty = this.ttyOfDev(this.devOfFile(file));
    if (!tty) return -ENOTTY;
    switch (cmd) {
      case TIOCSCTTY:
        return yield* this.tiocsctty(tty, Number(arg));
      case TIOCNOTTY:
        return this.tiocnotty(tty);
      case TIOCGWINSZ: {
        const left = (yield* call(this.k.routines.must('copy_to_user'), arg, this.S('tty_struct').addr(tty, 'winsize'), WINSIZE_BYTES)) as number;
        return left ? -EFAULT : 0;
      }
    }
    const ops = this.S('tty_struct').num(tty, 'ops');
    const ioctl = ops ? this.S('tty_operations').num(ops, 'ioctl') : 0;
    if (ioctl) {
      const r = (yield* call(ioctl, tty, cmd, arg)) as number;
      if (r !== -ENOIOCTLCMD) return r;
    }
    // n_tty would look at termios requests here; kmemlab's console has no line discipline.
    return -ENOTTY;
  }

  /** vt_ioctl (3-argument form since 2.6.39): perm, then the keyboard requests. */
  private *vtIoctl(tty: number, cmd: number, arg: I64): NativeGen {
    const vc = this.S('tty_struct').num(tty, 'driver_data');
    const console = vc ? this.S('vc_data').num(vc, 'vc_num') : -1;
    if (console < 0 || this.ttyOfConsole(console) === 0) return -ENOIOCTLCMD;
    const task = this.k.current;
    const perm = this.controllingTty(task) === tty || ((yield* call(this.k.routines.must('capable'), CAP_SYS_TTY_CONFIG)) as number) !== 0;
    switch (cmd) {
      case KDGKBTYPE:
        return yield* this.keyboard.putUserByte(KB_101, arg);
      case KDGETLED:
      case KDSETLED:
      case KDGKBLED:
      case KDSKBLED:
        return yield* call(this.k.routines.must('vt_do_kdskled'), console, cmd, arg, perm ? 1 : 0);
    }
    return -ENOIOCTLCMD;
  }

  // ---- controlling tty -----------------------------------------------------------------------------

  /** Lab programs are session leaders (see the file comment); kernel threads are not. */
  private isSessionLeader(task: Task): boolean {
    return task.kind === 'user';
  }

  private sessionHolder(tty: number): Task | undefined {
    const t = this.sessionOf.get(tty);
    if (t && t.exited) {
      this.sessionOf.delete(tty);
      return undefined;
    }
    return t;
  }

  private setCtty(task: Task, tty: number): void {
    this.ctty.set(task, tty);
    this.sessionOf.set(tty, task);
  }

  /** TIOCSCTTY: a leader without a tty takes this one, stealing it only with arg 1 and CAP_SYS_ADMIN. */
  private *tiocsctty(tty: number, arg: number): NativeGen {
    const task = this.k.current;
    if (this.isSessionLeader(task) && this.sessionHolder(tty) === task) return 0;
    if (!this.isSessionLeader(task) || this.controllingTty(task)) return -EPERM;
    const holder = this.sessionHolder(tty);
    if (holder) {
      const admin = ((yield* call(this.k.routines.must('capable'), CAP_SYS_ADMIN)) as number) !== 0;
      if (arg !== 1 || !admin) return -EPERM;
      this.ctty.delete(holder);
    }
    this.setCtty(task, tty);
    return 0;
  }

  /** TIOCNOTTY: give up the controlling tty (no SIGHUP: lab programs have no process groups). */
  private tiocnotty(tty: number): number {
    const task = this.k.current;
    if (this.controllingTty(task) !== tty) return -ENOTTY;
    this.ctty.delete(task);
    if (this.sessionOf.get(tty) === task) this.sessionOf.delete(tty);
    return 0;
  }
}
