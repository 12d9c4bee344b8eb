/*
 * lazy: a vmalloc buffer mapped on demand by a .fault handler.
 *
 * The mmap method maps nothing. It only installs vm_operations; when the program first touches
 * a page, the page fault reaches lazy_fault, which says which struct page backs that offset.
 * The kernel then builds the PTE.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#define LAZY_PAGES 4
#define LAZY_SIZE (LAZY_PAGES * PAGE_SIZE)

static char *lazy_buf;
static int faults;

static int lazy_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	char *base = vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff >= LAZY_PAGES)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(base + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);         /* the mapping holds a reference from now on */
	vmf->page = page;
	faults++;
	pr_info("lazy: fault #%d at %p, page %lu of the buffer\n", faults, vmf->virtual_address, vmf->pgoff);
	return 0;
}

static const struct vm_operations_struct lazy_vm_ops = {
	.fault = lazy_fault,
};

static int lazy_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start > LAZY_SIZE)
		return -EINVAL;
	vma->vm_ops = &lazy_vm_ops;
	vma->vm_private_data = lazy_buf;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	pr_info("lazy: mmap at %#lx, nothing mapped yet\n", vma->vm_start);
	return 0;
}

static const struct file_operations lazy_fops = {
	.owner = THIS_MODULE,
	.mmap = lazy_mmap,
};

static struct miscdevice lazy_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lazy",
	.fops = &lazy_fops,
	.mode = 0666,
};

static int __init lazy_init(void)
{
	int i;

	lazy_buf = vmalloc(LAZY_SIZE);
	if (!lazy_buf)
		return -ENOMEM;
	for (i = 0; i < LAZY_PAGES; i++)
		snprintf(lazy_buf + i * PAGE_SIZE, 16, "page %d", i);
	return misc_register(&lazy_dev);
}

static void __exit lazy_exit(void)
{
	misc_deregister(&lazy_dev);
	vfree(lazy_buf);
	pr_info("lazy: %d faults served\n", faults);
}

module_init(lazy_init);
module_exit(lazy_exit);
MODULE_LICENSE("GPL");
