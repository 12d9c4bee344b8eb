/*
 * tlbq: does vmalloc have to flush the TLB? Does vfree?
 *
 * Each step prints what it did; the lab's README says what to watch in the TLB and Page Tables
 * views while stepping through it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static char *first, *second;

/* Reads one byte of kernel memory without risking an oops: -EFAULT if nothing is mapped. */
static int peek(const char *where, char *out)
{
	return probe_kernel_read(out, where, 1);
}

static int __init tlbq_init(void)
{
	unsigned long first_pfn, second_pfn;
	char c = 0;
	long r;

	/* 1. A fresh vmalloc area: its PTEs were not present before, so no TLB entry can exist. */
	first = vmalloc(PAGE_SIZE);
	if (!first)
		return -ENOMEM;
	memset(first, 'A', PAGE_SIZE);
	first_pfn = vmalloc_to_pfn(first);
	pr_info("tlbq: first = %p on pfn %#lx, filled with 'A'\n", first, first_pfn);

	/* 2. vfree clears the PTE and frees the frame, but leaves the TLB alone. */
	vfree(first);
	pr_info("tlbq: vfree(first): the PTE is gone, the flush is deferred\n");

	r = peek(first, &c);
	pr_info("tlbq: reading first after vfree: %ld, byte '%c'\n", r, c);

	/* 3. The next allocation cannot get first's addresses back before a purge... */
	second = vmalloc(PAGE_SIZE);
	if (!second)
		return -ENOMEM;
	second_pfn = vmalloc_to_pfn(second);
	pr_info("tlbq: second = %p on pfn %#lx (%s address, %s frame)\n", second, second_pfn,
		second == first ? "the same" : "a different", second_pfn == first_pfn ? "the same" : "a different");

	/* ...but it can get first's frame: the stale entry now reaches second's data. */
	memset(second, 'B', PAGE_SIZE);
	r = peek(first, &c);
	pr_info("tlbq: reading first again: %ld, byte '%c'\n", r, c);

	/* 4. The purge flushes every lazily freed range at once. */
	vm_unmap_aliases();
	c = 0;
	r = peek(first, &c);
	pr_info("tlbq: after vm_unmap_aliases, reading first: %ld\n", r);
	return 0;
}

static void __exit tlbq_exit(void)
{
	vfree(second);
}

module_init(tlbq_init);
module_exit(tlbq_exit);
MODULE_LICENSE("GPL");
