/*
 * ptwalk: walks the calling program's page tables for an address it hands over, one level at a
 * time with the kernel's own page-table API, and prints what it finds.
 *
 * The walk always takes the same four steps — pgd_offset, pud_offset, pmd_offset,
 * pte_offset_kernel — whatever the paging format. On i386 some of those levels do not exist in
 * the hardware: the kernel folds them (asm-generic/pgtable-nopud.h, pgtable-nopmd.h), so the
 * step returns the entry of the level above, cast to its own type. Compare the pointers and the
 * fold shows itself.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/ioctl.h>

#define PTWALK_VA _IOW('w', 1, unsigned long)

/* How many bits of the address index a table of `entries` entries. */
static int index_bits(unsigned long entries)
{
	int bits = 0;

	while (entries > 1) {
		entries >>= 1;
		bits++;
	}
	return bits;
}

static void describe_level(const char *name, unsigned long entries, int shift)
{
	if (entries == 1)
		pr_info("ptwalk:   %s folded: one entry, the one of the level above\n", name);
	else
		pr_info("ptwalk:   %s %4lu entries, indexed by address bits %d-%d\n", name, entries,
			shift + index_bits(entries) - 1, shift);
}

static void describe_layout(void)
{
	pr_info("ptwalk: %d levels, %zu-byte entries, %zu-byte pointers\n", PAGETABLE_LEVELS, sizeof(pte_t), sizeof(void *));
	describe_level("pgd", PTRS_PER_PGD, PGDIR_SHIFT);
	describe_level("pud", PTRS_PER_PUD, PUD_SHIFT);
	describe_level("pmd", PTRS_PER_PMD, PMD_SHIFT);
	describe_level("pte", PTRS_PER_PTE, PAGE_SHIFT);
	pr_info("ptwalk: user space ends at %#lx, the direct map starts at %#lx\n", TASK_SIZE, PAGE_OFFSET);
	pr_info("ptwalk: vmalloc area %#lx-%#lx\n", VMALLOC_START, VMALLOC_END);
}

/* Returns the pfn that maps va, or -ENOENT when the walk stops before a present PTE. */
static long walk(struct mm_struct *mm, unsigned long va)
{
	pgd_t *pgd;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	long pfn;

	pr_info("ptwalk: walking %#lx\n", va);
	pgd = pgd_offset(mm, va);
	pr_info("ptwalk:   pgd[%lu] at %p = %0*llx\n", pgd_index(va), pgd, (int)sizeof(pgd_t) * 2, (unsigned long long)pgd_val(*pgd));
	if (pgd_none(*pgd))
		return -ENOENT;

	pud = pud_offset(pgd, va);
	if ((void *)pud == (void *)pgd)
		pr_info("ptwalk:   pud folded: pud_offset gave back the pgd entry\n");
	else
		pr_info("ptwalk:   pud[%lu] at %p = %0*llx\n", pud_index(va), pud, (int)sizeof(pud_t) * 2, (unsigned long long)pud_val(*pud));
	if (pud_none(*pud))
		return -ENOENT;

	pmd = pmd_offset(pud, va);
	if ((void *)pmd == (void *)pud)
		pr_info("ptwalk:   pmd folded: pmd_offset gave back the pud entry\n");
	else
		pr_info("ptwalk:   pmd[%lu] at %p = %0*llx\n", pmd_index(va), pmd, (int)sizeof(pmd_t) * 2, (unsigned long long)pmd_val(*pmd));
	if (pmd_none(*pmd))
		return -ENOENT;

	pte = pte_offset_kernel(pmd, va);
	pr_info("ptwalk:   pte[%lu] at %p = %0*llx\n", pte_index(va), pte, (int)sizeof(pte_t) * 2, (unsigned long long)pte_val(*pte));
	if (!pte_present(*pte))
		return -ENOENT;
	pfn = pte_pfn(*pte);
	pr_info("ptwalk:   -> pfn %#lx%s\n", pfn, pte_write(*pte) ? ", writable" : "");
	return pfn;
}

static long ptwalk_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	if (cmd != PTWALK_VA)
		return -ENOTTY;
	return walk(current->mm, arg);
}

static const struct file_operations ptwalk_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ptwalk_ioctl,
};

static struct miscdevice ptwalk_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ptwalk",
	.fops = &ptwalk_fops,
	.mode = 0666,
};

static int __init ptwalk_init(void)
{
	describe_layout();
	return misc_register(&ptwalk_dev);
}

static void __exit ptwalk_exit(void)
{
	misc_deregister(&ptwalk_dev);
}

module_init(ptwalk_init);
module_exit(ptwalk_exit);
MODULE_LICENSE("GPL");
