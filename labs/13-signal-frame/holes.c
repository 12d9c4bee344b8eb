/*
 * holes: a device whose even pages exist and whose odd pages do not.
 *
 * The .fault handler hands out a zeroed page for page 0, 2, 4... and answers VM_FAULT_SIGBUS
 * for the others. A program that reads an odd page gets SIGBUS with si_code BUS_ADRERR: the
 * VMA is there (so it is not a SIGSEGV), but the driver cannot back that offset.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>

static int holes_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff & 1) {
		pr_info("holes: page %lu is a hole: VM_FAULT_SIGBUS\n", vmf->pgoff);
		return VM_FAULT_SIGBUS;
	}
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return VM_FAULT_OOM;
	vmf->page = page;       /* the reference alloc_page gave is the mapping's */
	pr_info("holes: page %lu backed\n", vmf->pgoff);
	return 0;
}

static const struct vm_operations_struct holes_vm_ops = {
	.fault = holes_fault,
};

static int holes_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &holes_vm_ops;
	return 0;
}

static const struct file_operations holes_fops = {
	.owner = THIS_MODULE,
	.mmap = holes_mmap,
};

static struct miscdevice holes_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "holes",
	.fops = &holes_fops,
	.mode = 0666,
};

static int __init holes_init(void)
{
	return misc_register(&holes_dev);
}

static void __exit holes_exit(void)
{
	misc_deregister(&holes_dev);
}

module_init(holes_init);
module_exit(holes_exit);
MODULE_LICENSE("GPL");
