/* Touches the pages of /dev/lazy out of order, and past the end. */
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/dev/lazy", O_RDWR);
	char *p;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("first read of page 2: %s\n", p + 2 * 4096);
	printf("first read of page 0: %s\n", p);
	printf("again, page 2: %s\n", p + 2 * 4096);
	p[3 * 4096] = 'P';
	printf("page 3 after a store: %s\n", p + 3 * 4096);
	return 0;
}
