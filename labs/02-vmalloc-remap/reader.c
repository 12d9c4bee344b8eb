/* Maps /dev/vpages shared (works) and private-writable (remap_pfn_range refuses it). */
#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define SIZE (8 * 4096)

int main(void)
{
	int fd = open("/dev/vpages", O_RDWR);
	char *p;
	int i, ok = 1;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap shared");
		return 1;
	}
	for (i = 0; i < SIZE; i++)
		if (p[i] != 'a' + i % 26)
			ok = 0;
	printf("shared mapping at %p: %.26s... %s\n", p, p, ok ? "all 8 pages match" : "MISMATCH");

	p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("private writable mapping: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	return 0;
}
