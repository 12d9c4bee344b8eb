/* Maps /dev/poker, asks the driver to write into the mapping, then reads it. */
#include <stdio.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/dev/poker", O_RDWR);
	char *p;
	long r;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	r = ioctl(fd, 0x4b01, 'X');
	printf("ioctl returned %ld\n", r);
	printf("first bytes: %.26s\n", p);
	printf("page 1 starts: %.10s\n", p + 4096);
	return 0;
}
