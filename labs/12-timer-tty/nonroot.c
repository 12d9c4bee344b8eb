/* The LED setters need the console as controlling tty, or CAP_SYS_TTY_CONFIG. Run as uid 1000. */
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kd.h>

#define KBLEDS_SET 0x6b02

static void report(const char *what, int ret)
{
	if (ret < 0)
		printf("%s -> -1 (%s)\n", what, strerror(errno));
	else
		printf("%s -> %d\n", what, ret);
}

int main(void)
{
	char leds = 0x55;
	int fd = open("/dev/kbleds", O_RDWR);

	printf("uid %d\n", getuid());
	report("KDGETLED on stdout", ioctl(1, KDGETLED, &leds));
	report("KDSETLED on stdout", ioctl(1, KDSETLED, LED_CAP));
	report("KDSETLED through /dev/kbleds", ioctl(fd, KBLEDS_SET, LED_CAP));
	report("TIOCSCTTY on stdin", ioctl(0, TIOCSCTTY, 0));
	report("KDSETLED on stdout, now my controlling tty", ioctl(1, KDSETLED, LED_CAP));
	report("KDSETLED through /dev/kbleds", ioctl(fd, KBLEDS_SET, LED_SCR));
	report("TIOCNOTTY", ioctl(0, TIOCNOTTY, 0));
	report("KDSETLED on stdout again", ioctl(1, KDSETLED, LED_CAP));
	close(fd);
	return 0;
}
