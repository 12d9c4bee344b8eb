/*
 * kbleds: drives the keyboard LEDs by calling the console's own ioctl, once from process context
 * (an ioctl on /dev/kbleds) and once from a timer. The 3.7 way to the console: vc_cons[fg_console]
 * gives the foreground vc_data, its embedded tty_port points at the tty_struct, and the tty
 * driver's ops->ioctl takes (tty, cmd, arg).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>
#include <linux/tty.h>
#include <linux/kd.h>
#include <linux/console_struct.h>
#include <linux/vt_kern.h>

#define BLINK_DELAY (HZ / 5)
#define ALL_LEDS_ON 0x07
#define RESTORE_LEDS 0xff
#define BLINKS 3

/* What /dev/kbleds understands. */
#define KBLEDS_GET 0x6b01	/* arg: char __user * that receives the LEDs */
#define KBLEDS_SET 0x6b02	/* arg: the LEDs to light, or 0xff for normal */
#define KBLEDS_BLINK 0x6b03	/* arg: a user pointer the timer will also try KDGETLED into */

static struct tty_struct *console_tty;
static struct timer_list blink_timer;
static unsigned long led_status = RESTORE_LEDS;
static int blinks_left;
static unsigned long user_ptr_for_timer;

static int console_ioctl(unsigned int cmd, unsigned long arg)
{
	return console_tty->driver->ops->ioctl(console_tty, cmd, arg);
}

static void blink(unsigned long unused)
{
	int ret;

	led_status = led_status == ALL_LEDS_ON ? RESTORE_LEDS : ALL_LEDS_ON;
	ret = console_ioctl(KDSETLED, led_status);
	pr_info("kbleds: timer (current %s, in_atomic %d): KDSETLED %#lx -> %d\n", current->comm, in_atomic() ? 1 : 0, led_status, ret);

	/* The classic mistake: a value where the ioctl wants a user pointer. */
	ret = console_ioctl(KDGETLED, led_status);
	pr_info("kbleds: timer: KDGETLED into %#lx -> %d\n", led_status, ret);

	if (blinks_left == BLINKS && user_ptr_for_timer) {
		/* A real user address this time, but whose? And can it fault in here? */
		ret = console_ioctl(KDGETLED, user_ptr_for_timer);
		pr_info("kbleds: timer: KDGETLED into the program's buffer -> %d\n", ret);
	}
	if (--blinks_left > 0)
		mod_timer(&blink_timer, jiffies + BLINK_DELAY);
}

static long kbleds_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	int ret;

	switch (cmd) {
	case KBLEDS_GET:
		ret = console_ioctl(KDGETLED, arg);
		pr_info("kbleds: ioctl from %s: KDGETLED into %#lx -> %d\n", current->comm, arg, ret);
		return ret;
	case KBLEDS_SET:
		ret = console_ioctl(KDSETLED, arg);
		pr_info("kbleds: ioctl from %s: KDSETLED %#lx -> %d\n", current->comm, arg, ret);
		return ret;
	case KBLEDS_BLINK:
		user_ptr_for_timer = arg;
		blinks_left = BLINKS;
		mod_timer(&blink_timer, jiffies + BLINK_DELAY);
		return 0;
	}
	return -ENOTTY;
}

static const struct file_operations kbleds_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kbleds_ioctl,
};

static struct miscdevice kbleds_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kbleds",
	.fops = &kbleds_fops,
	.mode = 0666,
};

static int __init kbleds_init(void)
{
	console_tty = vc_cons[fg_console].d->port.tty;
	pr_info("kbleds: console %d is %s, tty driver \"%s\" magic %x\n", fg_console, console_tty->name, console_tty->driver->name, console_tty->driver->magic);
	setup_timer(&blink_timer, blink, 0);
	return misc_register(&kbleds_dev);
}

static void __exit kbleds_exit(void)
{
	del_timer_sync(&blink_timer);
	console_ioctl(KDSETLED, RESTORE_LEDS);
	misc_deregister(&kbleds_dev);
}

module_init(kbleds_init);
module_exit(kbleds_exit);
MODULE_LICENSE("GPL");
