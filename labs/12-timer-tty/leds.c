/*
 * Asks kbleds for the LEDs from process context, lets its timer blink them, and looks again.
 * The last KDGETLED writes into a page the program never touched: put_user faults it in.
 */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kd.h>

#define KBLEDS_GET 0x6b01
#define KBLEDS_SET 0x6b02
#define KBLEDS_BLINK 0x6b03

static void get_leds(int fd, unsigned long request, char *where, const char *how)
{
	int ret;

	ret = ioctl(fd, request, where);
	printf("%s: KDGETLED -> %d, leds %#x\n", how, ret, *where);
}

static void show_proc_leds(void)
{
	char text[256];
	int fd = open("/proc/kmemlab/leds", O_RDONLY);
	int n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

	if (n > 0) {
		text[n] = 0;
		fputs(text, stdout);
	}
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int fd = open("/dev/kbleds", O_RDWR);
	char leds = 0x55;
	char *fresh;

	if (fd < 0) {
		perror("open /dev/kbleds");
		return 1;
	}
	get_leds(fd, KBLEDS_GET, &leds, "process context");
	printf("process context: KDSETLED %#x -> %d\n", LED_NUM, ioctl(fd, KBLEDS_SET, LED_NUM));
	get_leds(fd, KBLEDS_GET, &leds, "process context");
	get_leds(1, KDGETLED, &leds, "stdout, the console itself");

	/* A page nothing has touched yet: the timer gets an address in it. */
	fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (ioctl(fd, KBLEDS_BLINK, fresh + 2048) != 0)
		perror("KBLEDS_BLINK");
	sleep(1);
	printf("after the timer: the byte it was given holds %#x\n", fresh[2048]);
	get_leds(fd, KBLEDS_GET, fresh + 2048, "process context, into that byte");
	show_proc_leds();
	close(fd);
	return 0;
}
