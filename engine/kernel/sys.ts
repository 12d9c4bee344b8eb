/**
 * The small system calls of kernel/sys.c and friends: uname, time, getcwd, sched_yield, exit,
 * getegid, setuid. Time is emulated: the clock starts at a fixed date, so runs are reproducible.
 */
import type { NativeGen } from '../exec/types';
import type { I64 } from '../util/int64';
import { EFAULT, EPERM, ERANGE } from './errno';
import type { Kernel } from './kernel';

/** The emulated wall clock at boot: 2013-01-01 00:00:00 UTC (libc's own fallback clock agrees). */
export const BOOT_EPOCH_SECONDS = 1356998400;

/** struct new_utsname: six fields of __NEW_UTS_LEN + 1 bytes. */
const UTS_FIELD_BYTES = 65;

export class Sys {
  constructor(private readonly k: Kernel) {
    const r = k.routines;
    const internal = { exported: false, fixup: true };
    r.define('sys_newuname', ['name'], (a) => this.uname(a[0] as I64), internal);
    r.define('sys_uname', ['name'], (a) => this.uname(a[0] as I64), internal);
    r.define('sys_time', ['tloc'], (a) => this.time(a[0] as I64), internal);
    r.define('sys_getcwd', ['buf', 'size'], (a) => this.getcwd(a[0] as I64, Number(a[1])), internal);
    r.define('sys_sched_yield', [], () => k.sched.yieldCpu(), { exported: false });
    r.define('sys_exit', ['error_code'], (a) => k.sched.doExit(k.current, Number(a[0]) & 0xff, undefined), { exported: false });
    r.define('sys_getegid', [], () => k.current.cred.egid, { exported: false });
    r.define('sys_setuid', ['uid'], (a) => this.setuid(Number(a[0]) >>> 0), { exported: false });
  }

  /** Seconds since the epoch on the emulated clock. */
  nowSeconds(): number {
    return BOOT_EPOCH_SECONDS + Math.floor(this.k.nowNs() / 1e9);
  }

  private *uname(name: I64): NativeGen {
    const fields = ['Linux', 'kmemlab', '3.7.10-kmemlab', '#1 SMP', this.k.arch.vaBits === 64 ? 'x86_64' : 'i686', '(none)'];
    const out = new Uint8Array(UTS_FIELD_BYTES * fields.length);
    fields.forEach((f, i) => out.set(new TextEncoder().encode(f), i * UTS_FIELD_BYTES));
    if (!this.k.uaccess.accessOk(name, out.length)) return -EFAULT;
    return (yield* this.k.uaccess.writeUser(name, out)) ? 0 : -EFAULT;
  }

  private *time(tloc: I64): NativeGen {
    const t = this.nowSeconds();
    if (Number(tloc) !== 0) {
      const bytes = new Uint8Array(this.k.arch.abi.longBytes);
      new DataView(bytes.buffer).setUint32(0, t, true);
      if (!this.k.uaccess.accessOk(tloc, bytes.length) || !(yield* this.k.uaccess.writeUser(tloc, bytes))) return -EFAULT;
    }
    return t;
  }

  /** Every task's working directory is the root here; the length returned counts the NUL. */
  private *getcwd(buf: I64, size: number): NativeGen {
    const cwd = new Uint8Array([0x2f, 0]);
    if (size < cwd.length) return -ERANGE;
    if (!this.k.uaccess.accessOk(buf, cwd.length)) return -EFAULT;
    return (yield* this.k.uaccess.writeUser(buf, cwd)) ? cwd.length : -EFAULT;
  }

  /**
   * setuid: with CAP_SETUID (root) every uid changes, and leaving uid 0 drops the capabilities;
   * otherwise only the effective uid, and only to the real or the saved one.
   */
  private setuid(uid: number): number {
    const task = this.k.current;
    const c = task.cred;
    if (c.euid === 0) {
      c.uid = uid;
      c.euid = uid;
      c.suid = uid;
    } else if (uid === c.uid || uid === (c.suid ?? c.uid)) {
      c.euid = uid;
    } else {
      return -EPERM;
    }
    task.writeCred();
    return 0;
  }
}
