/*
 * {{module}}: hands a vmalloc buffer to user space one page at a time.
 *
 * mmap() maps nothing. The first access to each page faults, the kernel calls
 * {{module}}_fault, and the page it returns in vmf->page is what the kernel maps.
 * Set a breakpoint in {{module}}_fault and press F5.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#define NR_PAGES 2

static char *area;

static int {{module}}_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= NR_PAGES)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(area + vmf->pgoff * PAGE_SIZE);
	get_page(page);
	vmf->page = page;
	pr_info("{{module}}: page %lu mapped at %p\n", vmf->pgoff, vmf->virtual_address);
	return 0;
}

static const struct vm_operations_struct {{module}}_vm_ops = {
	.fault = {{module}}_fault,
};

static int {{module}}_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start > NR_PAGES * PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &{{module}}_vm_ops;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

static const struct file_operations {{module}}_fops = {
	.owner = THIS_MODULE,
	.mmap = {{module}}_mmap,
};

static struct miscdevice {{module}}_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "{{module}}",
	.fops = &{{module}}_fops,
	.mode = 0666,
};

static int __init {{module}}_init(void)
{
	area = vmalloc(NR_PAGES * PAGE_SIZE);
	if (!area)
		return -ENOMEM;
	strcpy(area, "hello from page 0");
	strcpy(area + PAGE_SIZE, "hello from page 1");
	return misc_register(&{{module}}_dev);
}

static void __exit {{module}}_exit(void)
{
	misc_deregister(&{{module}}_dev);
	vfree(area);
}

module_init({{module}}_init);
module_exit({{module}}_exit);
MODULE_LICENSE("GPL");
