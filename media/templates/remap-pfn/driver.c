/*
 * {{module}}: maps one kmalloc'd page into user space with remap_pfn_range.
 *
 * The whole mapping is built inside mmap(): no page faults later. The VMA gets
 * VM_IO | VM_PFNMAP, and its PTE points at the buffer's frame in the direct map.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <asm/io.h>

static char *page_buf;

static int {{module}}_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long pfn = virt_to_phys(page_buf) >> PAGE_SHIFT;

	if (size > PAGE_SIZE)
		return -EINVAL;
	return remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot);
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
	page_buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!page_buf)
		return -ENOMEM;
	strcpy(page_buf, "hello from a kmalloc page");
	pr_info("{{module}}: buffer at %p, pfn %#lx\n", page_buf, virt_to_phys(page_buf) >> PAGE_SHIFT);
	return misc_register(&{{module}}_dev);
}

static void __exit {{module}}_exit(void)
{
	misc_deregister(&{{module}}_dev);
	kfree(page_buf);
}

module_init({{module}}_init);
module_exit({{module}}_exit);
MODULE_LICENSE("GPL");
