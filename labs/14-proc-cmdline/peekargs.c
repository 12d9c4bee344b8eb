/*
 * peekargs: reads another process's command line from a module. access_process_vm would do it
 * in one call, but 3.7 does not export it; what it is built from is exported: find the task and
 * its mm, pin each page of arg_start..arg_end with get_user_pages, and kmap it to read it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>

#define PEEKARGS_READ 0x7001

static long peekargs_ioctl(struct file *file, unsigned int cmd, unsigned long pid)
{
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned long addr, end;
	char line[128];
	int n = 0;

	if (cmd != PEEKARGS_READ)
		return -ENOTTY;
	task = find_task_by_vpid(pid);
	if (!task)
		return -ESRCH;
	mm = get_task_mm(task);
	if (!mm)
		return -EINVAL;
	addr = mm->arg_start;
	end = mm->arg_end;
	while (addr < end && n < (int)sizeof(line) - 1) {
		unsigned long offset = addr & ~PAGE_MASK;
		unsigned long chunk = min(end - addr, PAGE_SIZE - offset);
		struct page *page;
		char *kaddr;
		unsigned long i;

		if (get_user_pages(task, mm, addr, 1, 0, 1, &page, NULL) != 1)
			break;
		kaddr = kmap(page);
		pr_info("peekargs: %#lx of pid %lu is in pfn %#lx%s, kmap gives %p\n", addr, pid, page_to_pfn(page), PageHighMem(page) ? " (highmem)" : "", kaddr);
		for (i = 0; i < chunk && n < (int)sizeof(line) - 1; i++)
			line[n++] = kaddr[offset + i] ? kaddr[offset + i] : ' ';
		kunmap(page);
		page_cache_release(page);
		addr += chunk;
	}
	mmput(mm);
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = 0;
	pr_info("peekargs: pid %lu: %s\n", pid, line);
	return n;
}

static const struct file_operations peekargs_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = peekargs_ioctl,
};

static struct miscdevice peekargs_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "peekargs",
	.fops = &peekargs_fops,
	.mode = 0444,
};

static int __init peekargs_init(void)
{
	return misc_register(&peekargs_dev);
}

static void __exit peekargs_exit(void)
{
	misc_deregister(&peekargs_dev);
}

module_init(peekargs_init);
module_exit(peekargs_exit);
MODULE_LICENSE("GPL");
