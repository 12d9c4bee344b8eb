/*
 * One program, three roles (argv[1]):
 *   --sleep ARGS...  keeps a secret in a global, later retitles itself over its argv, sleeps;
 *   --guard          a root process that only sleeps;
 *   --peek           finds the other two through /proc/PID/cmdline, reads and writes the
 *                    sleeper's memory through /proc/PID/mem, and asks the peekargs driver to
 *                    read a command line the way a module has to.
 * The roles run at the same time. Because they are one program, `secret` has the same virtual
 * address in each of them — and different contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define PEEKARGS_READ 0x7001
#define MAX_PID 64

char secret[48] = "(not set)";

/* /proc/PID/cmdline with the NULs between arguments shown as spaces. */
static int read_cmdline(int pid, char *line, int size)
{
	char path[32];
	int fd, n, i;

	sprintf(path, "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, line, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (line[i] == 0)
			line[i] = ' ';
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = 0;
	return n;
}

/* The first other process whose command line contains `role`, like pgrep -f. */
static int find(const char *role)
{
	char line[256];
	int pid;

	for (pid = 1; pid < MAX_PID; pid++)
		if (pid != getpid() && read_cmdline(pid, line, sizeof(line)) > 0 && strstr(line, role))
			return pid;
	return -1;
}

static void sleeper(char **argv, int argc)
{
	char *args = argv[0];
	char *args_end = argv[argc - 1] + strlen(argv[argc - 1]);
	const char *title = "snoop: sleeping, and this title is longer than my arguments were";

	strcpy(secret, "the sleeper's own secret");
	usleep(300000);
	/* setproctitle the hard way: the title runs over the end of argv into the environment. */
	strcpy(args, title);
	if (args + strlen(title) < args_end)
		memset(args + strlen(title), ' ', args_end - args - strlen(title));
	usleep(700000);
	printf("sleeper: secret is now \"%s\"\n", secret);
}

static void peek_memory(int pid)
{
	char path[32], got[48];
	int fd;
	long n;

	sprintf(path, "/proc/%d/mem", pid);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return;
	}
	lseek(fd, (long)secret, SEEK_SET);
	n = read(fd, got, sizeof(got));
	printf("secret at %p in pid %d (%ld bytes): \"%s\"; mine: \"%s\"\n", (void *)secret, pid, n, n > 0 ? got : "", secret);
	lseek(fd, (long)secret, SEEK_SET);
	n = write(fd, "rewritten through /proc/PID/mem", 32);
	lseek(fd, (long)secret, SEEK_SET);
	read(fd, got, sizeof(got));
	printf("wrote %ld bytes; pid %d now holds \"%s\"\n", n, pid, got);
	close(fd);
}

static void peeker(void)
{
	char line[256];
	int sleeper_pid, guard_pid, fd;

	usleep(100000);
	sleeper_pid = find("--sleep");
	guard_pid = find("--guard");
	read_cmdline(sleeper_pid, line, sizeof(line));
	printf("pid %d: %s\n", sleeper_pid, line);
	read_cmdline(guard_pid, line, sizeof(line));
	printf("pid %d: %s\n", guard_pid, line);

	peek_memory(sleeper_pid);
	peek_memory(guard_pid);

	fd = open("/dev/peekargs", O_RDONLY);
	printf("peekargs read %ld bytes of pid %d's arguments (see dmesg)\n", (long)ioctl(fd, PEEKARGS_READ, sleeper_pid), sleeper_pid);
	close(fd);

	usleep(400000);
	read_cmdline(sleeper_pid, line, sizeof(line));
	printf("pid %d later: %s\n", sleeper_pid, line);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--sleep") == 0)
		sleeper(argv, argc);
	else if (argc > 1 && strcmp(argv[1], "--guard") == 0)
		sleep(1);
	else
		peeker();
	return 0;
}
