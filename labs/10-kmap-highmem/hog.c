/*
 * hog: asks the hmap driver for one kmap more than there are pkmap slots, all kept mapped.
 */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define HMAP_HOLD _IOW('h', 1, unsigned long)
#define HMAP_SLOTS _IO('h', 2)

int main(void)
{
	int fd = open("/dev/hmap", O_RDONLY);
	long slots, got;

	if (fd < 0) {
		perror("/dev/hmap");
		return 1;
	}
	slots = ioctl(fd, HMAP_SLOTS);
	printf("%ld pkmap slots; asking for %ld kmaps\n", slots, slots + 1);
	fflush(stdout);
	got = ioctl(fd, HMAP_HOLD, (unsigned long)slots + 1);
	printf("holding %ld kmaps\n", got);
	close(fd);
	return 0;
}
