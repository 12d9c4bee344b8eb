/**
 * The keyboard LEDs of drivers/tty/vt/keyboard.c (3.7): vt_do_kdskled serves KDGETLED, KDSETLED,
 * KDGKBLED and KDSKBLED for vt_ioctl (FACTS §C). The lights show either the lock-key flags
 * (LED_SHOW_FLAGS, the normal behaviour) or a value an ioctl chose (LED_SHOW_IOCTL): KDSETLED
 * with a value ≤ 7 lights exactly those LEDs, anything larger goes back to the flags.
 *
 * Linux hands the new state to the hardware from a tasklet (kbd_bh) that set_leds() schedules;
 * here it is applied at once, so a KDGETLED right after a KDSETLED already sees it. Every change
 * of what is lit is logged, and /proc/kmemlab/leds shows the state for a lab to check.
 */
import type { NativeGen } from '../../exec/types';
import type { I64 } from '../../util/int64';
import { EINVAL, EPERM } from '../errno';
import type { Kernel } from '../kernel';
import { call } from '../routines';
import type { ProcEntries } from './procentries';

export const KDGETLED = 0x4b31;
export const KDSETLED = 0x4b32;
export const KDGKBTYPE = 0x4b33;
export const KDGKBLED = 0x4b64;
export const KDSKBLED = 0x4b65;
export const KB_101 = 0x02;
const ENOIOCTLCMD = 515;

const LED_NAMES: [number, string][] = [
  [0x1, 'scroll'],
  [0x2, 'num'],
  [0x4, 'caps'],
];

type LedMode = 'LED_SHOW_FLAGS' | 'LED_SHOW_IOCTL';

/** kbd_table[console]'s LED fields and the globals setledstate works on. */
interface KbdLeds {
  ledmode: LedMode;
  /** Scroll/Num/Caps lock state (what LED_SHOW_FLAGS lights). */
  ledflagstate: number;
  default_ledflagstate: number;
}

export class Keyboard {
  private readonly kbd: KbdLeds = { ledmode: 'LED_SHOW_FLAGS', ledflagstate: 0, default_ledflagstate: 0 };
  /** ledioctl: the LEDs a KDSETLED asked for. */
  private ledioctl = 0;
  /** ledstate: what the hardware was last told to light. */
  private ledstate = 0;
  /** How many times what is lit changed, for the lab's checks. */
  changes = 0;

  constructor(private readonly k: Kernel, proc: ProcEntries) {
    k.routines.define('vt_do_kdskled', ['console', 'cmd', 'arg', 'perm'], (a) => this.doKdskled(Number(a[1]) >>> 0, a[2] as I64, Number(a[3]) !== 0), { exported: false });
    proc.register({ path: '/proc/kmemlab/leds', mode: 0o444, show: () => this.procText() });
  }

  /** What is lit now (getledstate()). */
  get lit(): number {
    return this.ledstate;
  }

  /** vt_do_kdskled: the four LED ioctls; the getters copy one byte out with put_user. */
  private *doKdskled(cmd: number, arg: I64, perm: boolean): NativeGen {
    switch (cmd) {
      case KDGKBLED:
        return yield* this.putUserByte(this.kbd.ledflagstate | (this.kbd.default_ledflagstate << 4), arg);
      case KDSKBLED: {
        if (!perm) return -EPERM;
        const v = BigInt.asUintN(64, BigInt(arg));
        if (v & ~0x77n) return -EINVAL;
        this.kbd.ledflagstate = Number(v & 7n);
        this.kbd.default_ledflagstate = Number((v >> 4n) & 7n);
        this.setLeds('KDSKBLED');
        return 0;
      }
      case KDGETLED:
        return yield* this.putUserByte(this.ledstate, arg);
      case KDSETLED:
        if (!perm) return -EPERM;
        // setledstate takes an unsigned int: the upper half of a 64-bit arg is dropped.
        this.setledstate(Number(BigInt.asUintN(32, BigInt(arg))));
        return 0;
    }
    return -ENOIOCTLCMD;
  }

  /** put_user(ucval, (char __user *)arg), with ucval on the kernel stack as the C code has it. */
  *putUserByte(value: number, arg: I64): NativeGen {
    const th = this.k.current.thread;
    th.ksp -= 16;
    try {
      this.k.km.w8(th.ksp, value & 0xff);
      return yield* call(this.k.routines.must('__put_user_1'), th.ksp, arg);
    } finally {
      th.ksp += 16;
    }
  }

  private setledstate(led: number): void {
    if (!(led & ~7)) {
      this.ledioctl = led;
      this.kbd.ledmode = 'LED_SHOW_IOCTL';
    } else this.kbd.ledmode = 'LED_SHOW_FLAGS';
    this.setLeds('KDSETLED');
  }

  /** getleds() as kbd_bh computes it, applied at once (see the file comment). */
  private setLeds(why: string): void {
    const leds = this.kbd.ledmode === 'LED_SHOW_IOCTL' ? this.ledioctl : this.kbd.ledflagstate;
    if (leds === this.ledstate) return;
    this.ledstate = leds;
    this.changes++;
    const t = this.k.current;
    const where = t.inSoftirq > 0 ? ', in softirq' : '';
    this.k.printk(`\x016keyboard: LEDs now 0x${leds.toString(16)} [${ledNames(leds)}] after ${why} from ${t.comm}[${t.pid}]${where}\n`);
  }

  private procText(): string {
    const hex = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
    return [
      `lit:          ${hex(this.ledstate)} ${ledNames(this.ledstate)}`,
      `ledmode:      ${this.kbd.ledmode}`,
      `ledflagstate: ${hex(this.kbd.ledflagstate)}`,
      `changes:      ${this.changes}`,
      '',
    ].join('\n');
  }
}

export function ledNames(leds: number): string {
  const on = LED_NAMES.filter(([bit]) => leds & bit).map(([, name]) => name);
  return on.length ? on.join(' ') : 'none';
}
