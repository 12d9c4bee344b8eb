/**
 * The vt console tty (issue 5 item 5, FACTS §C KDGETLED/KDSETLED): the structures a driver walks
 * (vc_cons[fg_console].d->port.tty, driver->ops->ioctl), the permission rule for user programs,
 * the same ioctl called by a driver in process context, from a kthread and from a timer, and the
 * LED state the kernel keeps.
 */
import assert from 'node:assert/strict';
import { dmesgText, makeSession, miscDriver, run, USER_PRELUDE } from '../helpers/run';

const VT_HEADERS = `#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/tty.h>
#include <linux/kd.h>
#include <linux/console_struct.h>
#include <linux/vt_kern.h>
static struct tty_struct *con(void) { return vc_cons[fg_console].d->port.tty; }
static int con_ioctl(unsigned int cmd, unsigned long arg) { struct tty_struct *t = con(); return t->driver->ops->ioctl(t, cmd, arg); }`;

function initDriver(body: string, extra = ''): string {
  return `#include <linux/module.h>
${VT_HEADERS}
${extra}
static int __init t_init(void) { ${body} return 0; }
static void __exit t_exit(void) { }
module_init(t_init);
module_exit(t_exit);
MODULE_LICENSE("GPL");
`;
}

const USER = `${USER_PRELUDE}
#include <linux/kd.h>
static void show(const char *what, int ret) { if (ret < 0) printf("%s: -1 %s\\n", what, strerror(errno)); else printf("%s: %d\\n", what, ret); }
`;

describe('the console tty structures (3.7 layout)', () => {
  it('are in kernel memory at boot: vc_cons[fg_console].d->port.tty is tty1 of console_driver', () => {
    const r = run({
      drivers: {
        't.c': initDriver(`struct vc_data *vc = vc_cons[fg_console].d; struct tty_struct *t = vc->port.tty;
pr_info("fg=%d num=%d %dx%d tty=%s magic=%x index=%d back=%d\\n", fg_console, vc->vc_num, vc->vc_cols, vc->vc_rows, t->name, t->magic, t->index, t->driver_data == vc && t->port == &vc->port);
pr_info("driver %s major=%d minor_start=%d magic=%x type=%d ttys0=%d ioctl=%pS\\n", t->driver->name, t->driver->major, t->driver->minor_start, t->driver->magic, t->driver->type, t->driver->ttys[0] == t, t->driver->ops->ioctl);
pr_info("vc_cons[1].d=%p\\n", vc_cons[1].d);`),
      },
    });
    const d = dmesgText(r);
    assert.equal(r.oops.length, 0, d);
    assert.match(d, /fg=0 num=0 80x25 tty=tty1 magic=5401 index=0 back=1/);
    assert.match(d, /driver tty major=4 minor_start=1 magic=5402 type=2 ttys0=1 ioctl=vt_ioctl\+0x0/);
    assert.match(d, /vc_cons\[1\]\.d= +\(null\)/);
  });

  it('lists fg_console, vc_cons and console_driver in /proc/kallsyms', () => {
    const s = makeSession({ programs: { 'p.c': `${USER_PRELUDE}\nint main(void) { return 0; }` } });
    s.runToEnd();
    const ks = s.kernel.kallsyms;
    for (const [name, va] of [['fg_console', s.kernel.vt.fgConsoleVa], ['vc_cons', s.kernel.vt.vcConsVa], ['console_driver', s.kernel.vt.consoleDriverVa]] as const) {
      assert.equal(ks.lookup(va)?.name, name);
    }
  });

  it('gives the 2.6-era spelling a compile error, not a crash', () => {
    const cases: [string, RegExp][] = [
      ['struct tty_driver *d = vc_cons[fg_console].d->vc_tty->driver; (void)d;', /'struct vc_data' has no member named 'vc_tty'/],
      ['struct tty_struct *t = con(); (t->driver->ioctl)(t, NULL, KDSETLED, 7);', /'struct tty_driver' has no member named 'ioctl'/],
      ['struct tty_struct *t = con(); t->driver->ops->ioctl(t, NULL, KDSETLED, 7);', /too many arguments to function/],
    ];
    for (const [body, message] of cases) assert.throws(() => run({ drivers: { 't.c': initDriver(body) } }), message);
  });
});

describe('KDGETLED / KDSETLED from user programs', () => {
  it('root sets and reads the LEDs through stdout (the console); 0xff gives them back to the lock keys', () => {
    const prog = `${USER}
int main(void) { char c = 0x55;
show("get", ioctl(1, KDGETLED, &c)); printf("leds %#x\\n", c);
show("set 5", ioctl(1, KDSETLED, LED_SCR | LED_CAP)); show("get", ioctl(1, KDGETLED, &c)); printf("leds %#x\\n", c);
show("set 0x100000003", ioctl(1, KDSETLED, 0x100000003UL)); ioctl(1, KDGETLED, &c); printf("leds %#x\\n", c);
show("set 0xff", ioctl(1, KDSETLED, 0xff)); ioctl(1, KDGETLED, &c); printf("leds %#x\\n", c);
show("type", ioctl(0, KDGKBTYPE, &c)); printf("type %d\\n", c);
show("TCGETS", ioctl(1, 0x5401, &c));
show("bad pointer", ioctl(1, KDGETLED, (char *)16));
return 0; }`;
    const s = makeSession({ programs: { 'p.c': prog } });
    const r = s.runToEnd();
    assert.equal(r.programs[0].stdout, [
      'get: 0', 'leds 0', 'set 5: 0', 'get: 0', 'leds 0x5', 'set 0x100000003: 0', 'leds 0x3', 'set 0xff: 0', 'leds 0', 'type: 0', 'type 2',
      'TCGETS: -1 Inappropriate ioctl for device', 'bad pointer: -1 Bad address', '',
    ].join('\n'));
    assert.match(dmesgText(r), /keyboard: LEDs now 0x5 \[scroll caps\] after KDSETLED from p\[\d+\]/);
    assert.equal(s.kernel.vt.keyboard.lit, 0);
    assert.equal(s.kernel.vt.keyboard.changes, 3);
  });

  it('reads and sets the lock-key flags with KDGKBLED / KDSKBLED, which the LEDs follow', () => {
    const prog = `${USER}
int main(void) { char c = 0;
show("skbled 0x12", ioctl(1, KDSKBLED, 0x12)); show("gkbled", ioctl(1, KDGKBLED, &c)); printf("flags %#x\\n", c);
ioctl(1, KDGETLED, &c); printf("leds %#x\\n", c);
show("skbled 0x8", ioctl(1, KDSKBLED, 0x8));
return 0; }`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'skbled 0x12: 0\ngkbled: 0\nflags 0x12\nleds 0x2\nskbled 0x8: -1 Invalid argument\n');
  });

  it('refuses KDSETLED to a non-root program without a controlling tty; TIOCSCTTY makes the console its own', () => {
    const prog = `${USER}
int main(void) { char c = 0x55;
show("get", ioctl(1, KDGETLED, &c)); show("set", ioctl(1, KDSETLED, 1)); show("skbled", ioctl(1, KDSKBLED, 1));
show("notty before", ioctl(0, TIOCNOTTY, 0));
show("sctty", ioctl(0, TIOCSCTTY, 0)); show("sctty again", ioctl(2, TIOCSCTTY, 0));
show("set", ioctl(1, KDSETLED, 1));
show("notty", ioctl(0, TIOCNOTTY, 0)); show("set", ioctl(1, KDSETLED, 2));
show("open tty1", open("/dev/tty1", O_RDWR));
return 0; }`;
    const r = run({
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.programs[0].uid = 1000;
      },
    });
    assert.equal(r.programs[0].stdout, [
      'get: 0', 'set: -1 Operation not permitted', 'skbled: -1 Operation not permitted', 'notty before: -1 Inappropriate ioctl for device',
      'sctty: 0', 'sctty again: 0', 'set: 0', 'notty: 0', 'set: -1 Operation not permitted', 'open tty1: -1 Permission denied', '',
    ].join('\n'));
  });

  it('makes /dev/tty1 the controlling tty of a program that opens it, and refuses it to the next one while held', () => {
    // One source in two roles: concurrent programs must not differ in code (see the report on
    // function addresses shared between images).
    const prog = `${USER}
int main(int argc, char **argv) {
  if (argv[1][0] == 'h') { int fd = open("/dev/tty1", O_RDWR); show("open", fd); show("sctty", ioctl(fd, TIOCSCTTY, 0)); sleep(1); return 0; }
  usleep(100000); show("sctty", ioctl(0, TIOCSCTTY, 0)); show("steal", ioctl(0, TIOCSCTTY, 1)); return 0; }`;
    const r = run({
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.concurrent = true;
        lab.programs = [{ ...lab.programs[0], args: ['holder'] }, { ...lab.programs[0], args: ['thief'] }];
      },
    });
    assert.equal(r.programs[0].stdout, 'open: 3\nsctty: 0\n');
    // Root may steal it with arg 1 (CAP_SYS_ADMIN).
    assert.equal(r.programs[1].stdout, 'sctty: -1 Operation not permitted\nsteal: 0\n');
  });

  it('shows the LED state in /proc/kmemlab/leds', () => {
    const prog = `${USER}
int main(void) { char buf[200]; int fd, n; ioctl(1, KDSETLED, LED_NUM | LED_CAP); fd = open("/proc/kmemlab/leds", O_RDONLY); n = read(fd, buf, sizeof buf); write(1, buf, n); return 0; }`;
    const r = run({ programs: { 'p.c': prog } });
    assert.equal(r.programs[0].stdout, 'lit:          0x06 num caps\nledmode:      LED_SHOW_IOCTL\nledflagstate: 0x00\nchanges:      1\n');
  });
});

describe('KDGETLED / KDSETLED called by a driver', () => {
  const forwarder = miscDriver(
    'fwd',
    `${VT_HEADERS}
static long fwd_ioctl(struct file *f, unsigned int cmd, unsigned long arg) { return con_ioctl(cmd, arg); }`,
    '.unlocked_ioctl = fwd_ioctl,',
  );

  it('works in process context with a real user buffer, with the caller\'s permission', () => {
    const prog = `${USER}
int main(void) { char c = 0x55; int fd = open("/dev/fwd", O_RDWR);
char *fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
show("set", ioctl(fd, KDSETLED, 3)); show("get", ioctl(fd, KDGETLED, &c)); printf("leds %#x\\n", c);
show("get into an untouched page", ioctl(fd, KDGETLED, fresh + 100)); printf("there %#x\\n", fresh[100]);
return 0; }`;
    const root = run({ drivers: { 'fwd.c': forwarder }, programs: { 'p.c': prog } });
    assert.equal(root.programs[0].stdout, 'set: 0\nget: 0\nleds 0x3\nget into an untouched page: 0\nthere 0x3\n');
    const user = run({
      drivers: { 'fwd.c': forwarder },
      programs: { 'p.c': prog },
      tweak: (lab) => {
        lab.programs[0].uid = 1000;
      },
    });
    assert.equal(user.programs[0].stdout, 'set: -1 Operation not permitted\nget: 0\nleds 0\nget into an untouched page: 0\nthere 0\n');
  });

  it('from a timer: KDSETLED works, KDGETLED into the value passed as a pointer is -EFAULT through the fixup', () => {
    const drv = initDriver(
      'setup_timer(&t, tick, 7); mod_timer(&t, jiffies + 2); msleep(100);',
      `static struct timer_list t;
static void tick(unsigned long v) {
  int set = con_ioctl(KDSETLED, v), get = con_ioctl(KDGETLED, v);
  pr_info("timer on %s atomic=%d: set=%d get=%d\\n", current->comm, in_atomic() ? 1 : 0, set, get);
}`,
    );
    const s = makeSession({ drivers: { 't.c': drv } });
    const fixups: string[] = [];
    s.kernel.events.onEvent = (e) => {
      if (e.kind === 'uaccess-fixup') fixups.push(`${e.routine}@${e.va}`);
    };
    const r = s.runToEnd();
    assert.equal(r.oops.length, 0, dmesgText(r));
    assert.match(dmesgText(r), /timer on swapper\/0 atomic=1: set=0 get=-14/);
    assert.match(dmesgText(r), /keyboard: LEDs now 0x7 \[scroll num caps\] after KDSETLED from swapper\/0\[0\], in softirq/);
    assert.deepEqual(fixups, ['__put_user_1@7']);
    assert.equal(s.kernel.vt.keyboard.lit, 7);
  });

  it('from a timer on a non-root program: the permission and addr_limit are that program\'s', () => {
    const drv = miscDriver(
      'tt',
      `${VT_HEADERS}
static struct timer_list t;
static char kbuf[4];
static void tick(unsigned long d) { pr_info("timer on %s uid=%d: set=%d get-into-kernel=%d\\n", current->comm, current_uid(), con_ioctl(KDSETLED, 1), con_ioctl(KDGETLED, (unsigned long)kbuf)); }`,
      '',
      'setup_timer(&t, tick, 0); mod_timer(&t, jiffies + 2);',
      'del_timer_sync(&t);',
    );
    const prog = `${USER_PRELUDE}
int main(void) { volatile unsigned long i, s = 0; for (i = 0; i < 3000000; i++) s += i; return 0; }`;
    const r = run({
      drivers: { 'tt.c': drv },
      programs: { 'spin.c': prog },
      tweak: (lab) => {
        lab.programs[0].uid = 1000;
      },
    });
    assert.match(dmesgText(r), /timer on spin uid=1000: set=-1 get-into-kernel=-14/);
  });

  it('from a kernel thread a kernel buffer passes access_ok (KERNEL_DS) and receives the LEDs', () => {
    const drv = initDriver(
      'kthread_run(worker, NULL, "ledd"); msleep(50);',
      `static char kbuf[4];
static int worker(void *d) { int set = con_ioctl(KDSETLED, LED_NUM), get = con_ioctl(KDGETLED, (unsigned long)kbuf); pr_info("kthread %s: set=%d get=%d kbuf=%#x\\n", current->comm, set, get, kbuf[0]); return 0; }`,
    );
    const r = run({ drivers: { 't.c': drv } });
    assert.match(dmesgText(r), /kthread ledd: set=0 get=0 kbuf=0x2/);
  });
});
