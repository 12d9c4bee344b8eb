/*
 * vpages: a vmalloc buffer mapped page by page.
 *
 * vmalloc memory is contiguous only in virtual addresses; each page may come from anywhere in
 * physical memory. So the mmap method asks for the frame of every page (vmalloc_to_pfn) and
 * maps them one remap_pfn_range call at a time.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#define VP_PAGES 8
#define VP_SIZE (VP_PAGES * PAGE_SIZE)

static char *vbuf;

static int vpages_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long uaddr = vma->vm_start;
	unsigned long len = vma->vm_end - vma->vm_start;
	char *kaddr = vbuf;
	int err;

	if (len > VP_SIZE)
		return -EINVAL;
	while (len > 0) {
		unsigned long pfn = vmalloc_to_pfn(kaddr);

		err = remap_pfn_range(vma, uaddr, pfn, PAGE_SIZE, vma->vm_page_prot);
		if (err) {
			pr_info("vpages: remap of %#lx failed: %d\n", uaddr, err);
			return err;
		}
		pr_info("vpages: %#lx -> pfn %#lx\n", uaddr, pfn);
		uaddr += PAGE_SIZE;
		kaddr += PAGE_SIZE;
		len -= PAGE_SIZE;
	}
	return 0;
}

static const struct file_operations vpages_fops = {
	.owner = THIS_MODULE,
	.mmap = vpages_mmap,
};

static struct miscdevice vpages_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vpages",
	.fops = &vpages_fops,
	.mode = 0666,
};

static int __init vpages_init(void)
{
	int i;

	vbuf = vmalloc(VP_SIZE);
	if (!vbuf)
		return -ENOMEM;
	for (i = 0; i < VP_SIZE; i++)
		vbuf[i] = 'a' + i % 26;
	pr_info("vpages: vmalloc buffer at %p\n", vbuf);
	return misc_register(&vpages_dev);
}

static void __exit vpages_exit(void)
{
	misc_deregister(&vpages_dev);
	vfree(vbuf);
}

module_init(vpages_init);
module_exit(vpages_exit);
MODULE_LICENSE("GPL");
