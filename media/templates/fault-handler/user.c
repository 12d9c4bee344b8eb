/* Maps /dev/{{module}} and reads page 1 before page 0: watch the faults arrive in that order. */
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	int fd = open("/dev/{{module}}", O_RDONLY);
	char *p;

	if (fd < 0) {
		perror("open /dev/{{module}}");
		return 1;
	}
	p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("%s\n", p + 4096);
	printf("%s\n", p);
	return 0;
}
