/*
 * tally: a misc device that counts how often it is opened. It is here to have symbols of its
 * own in the kernel: a static function (tally_open) and a global variable (tally_opens).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

unsigned long tally_opens;

static int tally_open(struct inode *inode, struct file *filp)
{
	tally_opens++;
	pr_info("tally: opened %lu times\n", tally_opens);
	return 0;
}

static const struct file_operations tally_fops = {
	.owner = THIS_MODULE,
	.open = tally_open,
};

static struct miscdevice tally_dev = { .minor = MISC_DYNAMIC_MINOR, .name = "tally", .fops = &tally_fops, .mode = 0666 };

static int __init tally_init(void)
{
	pr_info("tally: tally_open is at %p, tally_opens at %p\n", tally_open, &tally_opens);
	return misc_register(&tally_dev);
}

static void __exit tally_exit(void)
{
	misc_deregister(&tally_dev);
}

module_init(tally_init);
module_exit(tally_exit);
MODULE_LICENSE("GPL");
