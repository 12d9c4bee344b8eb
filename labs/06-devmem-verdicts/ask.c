/*
 * Asks the kernel for one page of physical memory through /dev/mem, at 256 MiB — past the end of
 * this machine's 128 MiB of RAM — and prints what the kernel answered and what every policy
 * kmemlab knows would have answered to the same request (from /proc/kmemlab/devmem).
 *
 * Run with the argument "raise" (as root), it then raises kern.securelevel by one, asks again,
 * and tries to lower it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#define REQUEST_OFFSET 0x10000000UL	/* 256 MiB */
#define PAGE 4096

static int securelevel(void)
{
	char text[16] = "";
	FILE *f = fopen("/proc/sys/kern/securelevel", "r");

	if (!f)
		return -99;
	fgets(text, sizeof(text), f);
	fclose(f);
	return atoi(text);
}

static int set_securelevel(int level)
{
	char text[16];
	int fd = open("/proc/sys/kern/securelevel", O_WRONLY);
	int n;

	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%d\n", level);
	n = write(fd, text, n) < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The verdicts of the last request in the trace: everything after its "request N:" line. */
static void print_last_verdicts(void)
{
	static char trace[64 * 1024];
	int fd = open("/proc/kmemlab/devmem", O_RDONLY);
	int len = 0, n;
	char *last, *p;

	while (fd >= 0 && (n = read(fd, trace + len, sizeof(trace) - 1 - len)) > 0)
		len += n;
	trace[len] = 0;
	close(fd);
	last = trace;
	for (p = strstr(trace, "request "); p; p = strstr(p + 1, "\nrequest "))
		last = p[0] == '\n' ? p + 1 : p;
	printf("%s", last);
}

static void ask(const char *who)
{
	int fd = open("/dev/mem", O_RDONLY);
	unsigned char *page;

	printf("\n== %s, euid %d, securelevel %d: mmap one page of /dev/mem at %#lx\n", who, (int)geteuid(), securelevel(), REQUEST_OFFSET);
	if (fd < 0) {
		printf("open /dev/mem: %s\n", strerror(errno));
		return;
	}
	page = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, REQUEST_OFFSET);
	if (page == MAP_FAILED) {
		printf("this kernel says: %s\n", strerror(errno));
	} else {
		printf("this kernel says: mapped, first byte %#x (no RAM answers at 256 MiB)\n", page[0]);
		munmap(page, PAGE);
	}
	close(fd);
	print_last_verdicts();
}

int main(int argc, char **argv)
{
	int err;

	ask(geteuid() == 0 ? "root" : "a user");
	if (argc > 1 && strcmp(argv[1], "raise") == 0) {
		int level = securelevel();

		err = set_securelevel(level + 1);
		printf("\nraising securelevel to %d: %s\n", level + 1, err ? strerror(-err) : "done");
		ask("root again");
		err = set_securelevel(level);
		printf("\nlowering securelevel to %d: %s\n", level, err ? strerror(-err) : "done");
	} else {
		err = set_securelevel(securelevel() + 1);
		printf("\nraising securelevel: %s\n", err ? strerror(-err) : "done");
	}
	return 0;
}
