/*
 * where: the same program on every layout. It prints where its data lives, asks the ptwalk
 * driver to walk the page tables for each address, and checks the frame against the one
 * /proc/self/pagemap reports.
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

#define PTWALK_VA _IOW('w', 1, unsigned long)

static int global_counter = 42;

/* The frame /proc/self/pagemap gives for va: bit 63 says present, bits 0-54 are the pfn. */
static long pagemap_pfn(int fd, void *va)
{
	uint64_t entry = 0;
	off_t at = (off_t)((uintptr_t)va / 4096) * sizeof(entry);

	if (lseek(fd, at, SEEK_SET) != at || read(fd, &entry, sizeof(entry)) != sizeof(entry))
		return -1;
	if (!(entry >> 63))
		return -1;
	return (long)(entry & ((1ULL << 55) - 1));
}

int main(void)
{
	int on_stack = 7;
	char *on_heap = malloc(64);
	char *mapped = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct { const char *name; void *va; } spots[] = {
		{ "global", &global_counter },
		{ "stack", &on_stack },
		{ "heap", on_heap },
		{ "mmap", mapped },
	};
	int walker, pagemap, i, agree = 0;

	printf("long is %zu bytes, a pointer %zu\n", sizeof(long), sizeof(void *));
	strcpy(on_heap, "heap");
	mapped[0] = 'm';	/* the first page is touched, the second is not */

	walker = open("/dev/ptwalk", O_RDONLY);
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (walker < 0 || pagemap < 0) {
		perror("open");
		return 1;
	}
	for (i = 0; i < 4; i++) {
		long walked = ioctl(walker, PTWALK_VA, (unsigned long)spots[i].va);
		long reported = pagemap_pfn(pagemap, spots[i].va);

		printf("%-6s %p  pfn %#lx, pagemap %s\n", spots[i].name, spots[i].va, walked,
		       walked == reported ? "agrees" : "DISAGREES");
		if (walked == reported)
			agree++;
	}
	printf("%d of 4 addresses agree with /proc/self/pagemap\n", agree);
	if (ioctl(walker, PTWALK_VA, (unsigned long)(mapped + 4096)) < 0)
		printf("untouched %p: no PTE yet (%s)\n", mapped + 4096, strerror(errno));
	close(walker);
	close(pagemap);
	return global_counter == 42 && on_stack == 7 ? 0 : 1;
}
