/* Maps both devices; writes through the mapping that works. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

static char *map(const char *dev)
{
	int fd = open(dev, O_RDWR);
	char *p;

	if (fd < 0) {
		printf("%s: %s\n", dev, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("%s: mmap failed: %s\n", dev, strerror(errno));
		return NULL;
	}
	printf("%s: %s\n", dev, p);
	return p;
}

int main(void)
{
	char *u = map("/dev/vuser");
	char *v = map("/dev/vplain");

	if (u) {
		strcpy(u + 4096, "the program wrote page 1");
		printf("page 1 now says: %s\n", u + 4096);
	}
	return u && !v ? 0 : 1;
}
