/*
 * poker: a mapping served by a .fault handler, and an ioctl that writes into that mapping
 * with put_user — through the user address, before the program ever touched the page.
 *
 * The kernel can take a page fault on a user address: put_user's access faults, the fault path
 * finds the VMA and calls our .fault handler (from inside the ioctl), the PTE appears, and the
 * write is retried and lands.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/miscdevice.h>

#define POKE_PAGES 2
#define POKE_CMD 0x4b01

static char *poke_buf;
static unsigned long mapped_at;

static int poke_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= POKE_PAGES)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(poke_buf + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	pr_info("poker: fault for page %lu\n", vmf->pgoff);
	return 0;
}

static const struct vm_operations_struct poke_vm_ops = { .fault = poke_fault };

static int poke_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start > POKE_PAGES * PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &poke_vm_ops;
	mapped_at = vma->vm_start;
	pr_info("poker: mapped at %#lx\n", mapped_at);
	return 0;
}

static long poke_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret;

	if (cmd != POKE_CMD)
		return -ENOTTY;
	pr_info("poker: put_user('%c') to %#lx\n", (int)arg, mapped_at);
	ret = put_user((char)arg, (char __user *)mapped_at);
	pr_info("poker: put_user returned %d\n", ret);
	return ret;
}

static const struct file_operations poke_fops = {
	.owner = THIS_MODULE,
	.mmap = poke_mmap,
	.unlocked_ioctl = poke_ioctl,
};

static struct miscdevice poke_dev = { .minor = MISC_DYNAMIC_MINOR, .name = "poker", .fops = &poke_fops, .mode = 0666 };

static int __init poke_init(void)
{
	int i;

	poke_buf = vmalloc(POKE_PAGES * PAGE_SIZE);
	if (!poke_buf)
		return -ENOMEM;
	for (i = 0; i < POKE_PAGES * PAGE_SIZE; i++)
		poke_buf[i] = 'a' + i % 26;
	poke_buf[POKE_PAGES * PAGE_SIZE - 1] = 0;
	return misc_register(&poke_dev);
}

static void __exit poke_exit(void)
{
	misc_deregister(&poke_dev);
	vfree(poke_buf);
}

module_init(poke_init);
module_exit(poke_exit);
MODULE_LICENSE("GPL");
