/*
 * Maps one page of /dev/mem at each boundary of this machine's memory, as a non-root user at
 * securelevel 1, and prints a table: what this kernel did (the rule lab.json selects), and what
 * each rule kmemlab knows says about the very same request (read back from /proc/kmemlab/devmem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGE 4096
#define RULES 9

struct probe {
	unsigned long offset;
	const char *what;
};

/* The numbers of a PC with 128 MiB (README: where they come from). */
static const struct probe probes[] = {
	{ 0x0009f000, "end of cluster 0 (pa - start == size)" },
	{ 0x000a0000, "one page further" },
	{ 0x07f8f000, "ctob(physmem) of the PC" },
	{ 0x07f90000, "one page further" },
	{ 0x07ff0000, "end of cluster 1 (pa - start == size)" },
	{ 0x07ff1000, "one page further" },
	{ 0x08000000, "128 MiB = ctob(physmem) of vax, powerpc" },
	{ 0x08001000, "one page further" },
	{ 0xfffff000, "last page below 4 GiB (hp300's top)" },
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static const char *rules[RULES] = { "i386", "amd64", "alpha", "vax", "hp300", "powerpc", "sun3", "netbsd4", "linux" };
static char verdict[NPROBES][RULES];
static char mine[NPROBES][16];

/* Reads the trace: one "request" block per mmap, one line per rule, in the order above. */
static void read_trace(void)
{
	static char trace[256 * 1024];
	int fd = open("/proc/kmemlab/devmem", O_RDONLY);
	int len = 0, n, req = -1, rule = 0;
	char *line = trace;

	while (fd >= 0 && (n = read(fd, trace + len, sizeof(trace) - 1 - len)) > 0)
		len += n;
	trace[len] = 0;
	close(fd);
	while (*line) {
		char *end = strchr(line, '\n');

		if (end)
			*end = 0;
		if (strncmp(line, "request ", 8) == 0) {
			req++;
			rule = 0;
		} else if (req >= 0 && req < (int)NPROBES && rule < RULES && strncmp(line + 2, rules[rule], strlen(rules[rule])) == 0 &&
			   line[2 + strlen(rules[rule])] == ' ') {
			char *word = line + 2 + strlen(rules[rule]);

			while (*word == ' ')
				word++;
			verdict[req][rule] = strncmp(word, "allowed", 7) == 0 ? 'Y' : '-';
			rule++;
		}
		line = end ? end + 1 : line + strlen(line);
	}
}

int main(void)
{
	int fd = open("/dev/mem", O_RDONLY);
	unsigned int i, r;

	if (fd < 0) {
		perror("open /dev/mem");
		return 1;
	}
	for (i = 0; i < NPROBES; i++) {
		unsigned char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, probes[i].offset);

		if (p == MAP_FAILED) {
			snprintf(mine[i], sizeof(mine[i]), "%s", errno == EINVAL ? "EINVAL" : strerror(errno));
		} else {
			snprintf(mine[i], sizeof(mine[i]), "mapped %02x", p[0]);
			munmap(p, PAGE);
		}
	}
	close(fd);
	read_trace();

	printf("euid %d, Y = the rule maps the page, - = it refuses\n\n", (int)geteuid());
	printf("%-10s  %-40s", "offset", "");
	for (r = 0; r < RULES; r++)
		printf(" %-7s", rules[r]);
	printf("  this kernel\n");
	for (i = 0; i < NPROBES; i++) {
		printf("0x%08lx  %-40s", probes[i].offset, probes[i].what);
		for (r = 0; r < RULES; r++)
			printf(" %-7c", verdict[i][r] ? verdict[i][r] : '?');
		printf("  %s\n", mine[i]);
	}
	return 0;
}
