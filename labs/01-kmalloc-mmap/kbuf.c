/*
 * kbuf: a buffer from kmalloc, handed to user space with remap_pfn_range.
 *
 * kmalloc memory is physically contiguous, so one remap_pfn_range call covers it all: the
 * page frame number of the first page is enough. kmalloc does not return page-aligned memory
 * for every size, so we ask for one page more and round the start up.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/string.h>
#include <asm/io.h>

#define KBUF_PAGES 4
#define KBUF_SIZE (KBUF_PAGES * PAGE_SIZE)

static char *kbuf_raw;   /* what kmalloc returned */
static char *kbuf;       /* page-aligned start inside it */

static int kbuf_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long pfn = virt_to_phys(kbuf) >> PAGE_SHIFT;
	int err;

	if (len > KBUF_SIZE) {
		pr_info("kbuf: refusing to map %lu bytes, the buffer has %lu\n", len, KBUF_SIZE);
		return -EINVAL;
	}
	err = remap_pfn_range(vma, vma->vm_start, pfn, len, vma->vm_page_prot);
	pr_info("kbuf: mapped pfn %#lx at %#lx (%lu bytes): %d\n", pfn, vma->vm_start, len, err);
	return err;
}

static const struct file_operations kbuf_fops = {
	.owner = THIS_MODULE,
	.mmap = kbuf_mmap,
};

static struct miscdevice kbuf_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kbuf",
	.fops = &kbuf_fops,
	.mode = 0666,
};

static int __init kbuf_init(void)
{
	int i;

	kbuf_raw = kmalloc(KBUF_SIZE + PAGE_SIZE, GFP_KERNEL);
	if (!kbuf_raw)
		return -ENOMEM;
	kbuf = (char *)PAGE_ALIGN((unsigned long)kbuf_raw);

	/* Something recognisable for the program to find: a label at the start of each page. */
	memset(kbuf, '.', KBUF_SIZE);
	for (i = 0; i < KBUF_PAGES; i++)
		snprintf(kbuf + i * PAGE_SIZE, 32, "page %d of kbuf", i);

	pr_info("kbuf: kmalloc gave %p, aligned buffer at %p, physical %#llx\n",
		kbuf_raw, kbuf, (unsigned long long)virt_to_phys(kbuf));
	return misc_register(&kbuf_dev);
}

static void __exit kbuf_exit(void)
{
	misc_deregister(&kbuf_dev);
	kfree(kbuf_raw);
	pr_info("kbuf: unloaded\n");
}

module_init(kbuf_init);
module_exit(kbuf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmalloc buffer mapped with remap_pfn_range");
