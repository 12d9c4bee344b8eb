/*
 * Maps /dev/kbuf, prints what the driver put in each page, and looks the pages up in
 * /proc/self/pagemap to see which physical frames back them.
 */
#include <stdio.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define PAGES 4
#define PAGE 4096

static uint64_t frame_of(void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	lseek(fd, ((uintptr_t)addr / PAGE) * sizeof(entry), SEEK_SET);
	read(fd, &entry, sizeof(entry));
	close(fd);
	if (!(entry >> 63))
		return 0;
	return entry & ((1ULL << 55) - 1);
}

int main(void)
{
	int fd = open("/dev/kbuf", O_RDWR);
	char *p;
	int i;

	if (fd < 0) {
		perror("open /dev/kbuf");
		return 1;
	}
	p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("mapped at %p\n", p);
	for (i = 0; i < PAGES; i++)
		printf("%s, pfn %#llx\n", p + i * PAGE, (unsigned long long)frame_of(p + i * PAGE));

	/* Asking for more than the device has is the driver's call to refuse. */
	if (mmap(NULL, 2 * PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		printf("mapping %d pages: %s\n", 2 * PAGES, strerror(errno));

	munmap(p, PAGES * PAGE);
	close(fd);
	return 0;
}
