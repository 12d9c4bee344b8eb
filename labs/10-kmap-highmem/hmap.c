/*
 * hmap: high memory has no kernel address of its own. This driver allocates a pool of highmem
 * pages and, at load time, takes one of them on a tour of kmap, kunmap and kmap_atomic. Its
 * ioctl then lets a program ask for more kmaps than there are pkmap slots.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/highmem.h>
#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/ioctl.h>

#define HMAP_HOLD _IOW('h', 1, unsigned long)
#define HMAP_SLOTS _IO('h', 2)
#define POOL_PAGES (LAST_PKMAP + 8)

static struct page *pool[POOL_PAGES];
/* How many pool pages the ioctl has kmapped and not yet kunmapped. */
static int held;

static void tour(void)
{
	struct page *page = pool[0];
	char *va, *again, *atomic;
	int i;

	pr_info("hmap: pfn %#lx is highmem: %d, page_address %p\n", page_to_pfn(page), PageHighMem(page), page_address(page));

	va = kmap(page);
	pr_info("hmap: kmap -> %p, pkmap slot %lu, page_address now %p\n", va, PKMAP_NR((unsigned long)va), page_address(page));
	strcpy(va, "written through a kmap address");
	kunmap(page);
	pr_info("hmap: after kunmap page_address is still %p: the PTE stays until the next flush\n", page_address(page));

	again = kmap(page);
	pr_info("hmap: kmap again -> %p (%s)\n", again, again == va ? "the same slot, no new PTE" : "a new slot");
	kunmap(page);

	/* Map and unmap other pages until the slot search wraps round and flushes. */
	for (i = 1; i < LAST_PKMAP; i++) {
		char *p = kmap(pool[i]);

		if (i == LAST_PKMAP - 1)
			pr_info("hmap: pool page %d got slot %lu\n", i, PKMAP_NR((unsigned long)p));
		kunmap(pool[i]);
	}
	pr_info("hmap: after %d more kmap/kunmap pairs, page_address of the first page is %p\n", LAST_PKMAP - 1, page_address(page));

	atomic = kmap_atomic(page);
	pr_info("hmap: kmap_atomic -> %p, fixmap slot %lu, in_atomic() %d\n", atomic, (__fix_to_virt(FIX_KMAP_BEGIN) - (unsigned long)atomic) >> PAGE_SHIFT, in_atomic());
	pr_info("hmap: the page still says \"%s\"\n", atomic);
	kunmap_atomic(atomic);
	pr_info("hmap: after kunmap_atomic in_atomic() %d\n", in_atomic());
}

static long hmap_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	if (cmd == HMAP_SLOTS)
		return LAST_PKMAP;
	if (cmd != HMAP_HOLD)
		return -ENOTTY;
	if (arg > POOL_PAGES)
		return -EINVAL;
	while (held < arg) {
		void *va;

		if (held >= LAST_PKMAP - 1)
			pr_info("hmap: kmap #%d of page %d...\n", held + 1, held);
		va = kmap(pool[held]);
		held++;
		if (held >= LAST_PKMAP - 1)
			pr_info("hmap: ... at %p\n", va);
	}
	return held;
}

static const struct file_operations hmap_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hmap_ioctl,
};

static struct miscdevice hmap_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hmap",
	.fops = &hmap_fops,
	.mode = 0666,
};

static void free_pool(void)
{
	int i;

	for (i = 0; i < held; i++)
		kunmap(pool[i]);
	for (i = 0; i < POOL_PAGES; i++)
		if (pool[i])
			__free_page(pool[i]);
}

static int __init hmap_init(void)
{
	int i;

	for (i = 0; i < POOL_PAGES; i++) {
		pool[i] = alloc_page(GFP_HIGHUSER);
		if (!pool[i]) {
			free_pool();
			return -ENOMEM;
		}
	}
	pr_info("hmap: %d highmem pages, %d pkmap slots at %#lx\n", POOL_PAGES, LAST_PKMAP, PKMAP_BASE);
	tour();
	return misc_register(&hmap_dev);
}

static void __exit hmap_exit(void)
{
	misc_deregister(&hmap_dev);
	free_pool();
}

module_init(hmap_init);
module_exit(hmap_exit);
MODULE_LICENSE("GPL");
