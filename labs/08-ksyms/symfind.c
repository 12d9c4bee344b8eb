/*
 * Opens /dev/ksyms — which puts an ELF image of the kernel's symbol table into this process —
 * finds a few symbols in it (two of the tally driver's, one of the ksyms driver's, one of the
 * kernel's) and checks each against /proc/kallsyms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/*
 * FreeBSD's <sys/ksyms.h>: _IOR('l', 1, size_t) and _IOR('l', 2, void *) in FreeBSD's encoding
 * (IOC_OUT 0x40000000 | parameter size << 16 | 'l' << 8 | number): 0x40086c01 and 0x40086c02
 * on a 64-bit system, 0x40046c01 and 0x40046c02 on a 32-bit one.
 */
#define KIOCGSIZE (0x40006c01UL | (sizeof(size_t) << 16))
#define KIOCGADDR (0x40006c02UL | (sizeof(void *) << 16))

/* The ELF64 structures we need (as <elf.h> declares them). */
typedef struct {
	unsigned char e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t sh_name, sh_type;
	uint64_t sh_flags, sh_addr, sh_offset, sh_size;
	uint32_t sh_link, sh_info;
	uint64_t sh_addralign, sh_entsize;
} Elf64_Shdr;

typedef struct {
	uint32_t st_name;
	unsigned char st_info, st_other;
	uint16_t st_shndx;
	uint64_t st_value, st_size;
} Elf64_Sym;

#define SHT_SYMTAB 2

static const char *wanted[] = { "tally_open", "tally_opens", "ksyms_open", "do_mmap_pgoff" };
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static void show_map(const char *image)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	while (fgets(line, sizeof(line), f)) {
		unsigned long lo = 0, hi = 0;

		sscanf(line, "%lx-%lx", &lo, &hi);
		if ((uintptr_t)image >= lo && (uintptr_t)image < hi)
			printf("in /proc/self/maps: %s", line);
	}
	fclose(f);
}

/* The symbol table entry called `name`, or NULL. */
static const Elf64_Sym *lookup(const char *image, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
	int i;

	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *syms = (const Elf64_Sym *)(image + sh[i].sh_offset);
		const char *strtab = image + sh[sh[i].sh_link].sh_offset;
		size_t n, count = sh[i].sh_size / sizeof(Elf64_Sym);

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (n = 0; n < count; n++)
			if (strcmp(strtab + syms[n].st_name, name) == 0)
				return &syms[n];
	}
	return NULL;
}

/* The address /proc/kallsyms gives `name`, with its type letter and module; 0 if absent. */
static unsigned long long kallsyms(const char *name, char *type, char *module)
{
	char line[256], sym[128], mod[64];
	unsigned long long addr = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		if (sscanf(line, "%llx %c %127s %63s", &addr, type, sym, mod) >= 3 && strcmp(sym, name) == 0) {
			strcpy(module, mod[0] ? mod : "(kernel)");
			fclose(f);
			return addr;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

int main(void)
{
	int fd = open("/dev/ksyms", O_RDONLY);
	size_t size = 0;
	char *image = NULL;
	unsigned int i, matched = 0;

	close(open("/dev/tally", O_RDONLY));
	if (fd < 0 || ioctl(fd, KIOCGSIZE, &size) < 0 || ioctl(fd, KIOCGADDR, &image) < 0) {
		perror("/dev/ksyms");
		return 1;
	}
	printf("/dev/ksyms: a %zu-byte snapshot at %p\n", size, (void *)image);
	show_map(image);
	if (memcmp(image, "\177ELF", 4) != 0 || image[4] != 2) {
		printf("not an ELF64 image\n");
		return 1;
	}

	for (i = 0; i < NWANTED; i++) {
		const Elf64_Sym *s = lookup(image, wanted[i]);
		char type = '?', module[64] = "";
		unsigned long long addr = kallsyms(wanted[i], &type, module);

		if (!s) {
			printf("%-14s not in the snapshot\n", wanted[i]);
			continue;
		}
		printf("%-14s %#llx size %-5llu %-6s %-6s | kallsyms %#llx %c %-10s %s\n", wanted[i], (unsigned long long)s->st_value,
		       (unsigned long long)s->st_size, (s->st_info & 0xf) == 2 ? "FUNC" : "OBJECT", (s->st_info >> 4) == 1 ? "GLOBAL" : "LOCAL",
		       addr, type, module, addr == s->st_value ? "match" : "MISMATCH");
		matched += addr == s->st_value;
	}

	close(fd);
	printf("after close: ");
	fflush(stdout);
	show_map(image);
	printf("(nothing mapped there any more)\n");
	return matched == NWANTED ? 0 : 1;
}
