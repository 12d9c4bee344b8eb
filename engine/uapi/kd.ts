/**
 * User-space API headers: what Linux keeps in include/uapi, seen alike by drivers (through the
 * kernel's headers) and by user programs (through libc's).
 */

/** <linux/kd.h>: the console ioctls (keyboard LEDs, keyboard type). */
export const LINUX_KD_H = String.raw`
#ifndef _LINUX_KD_H
#define _LINUX_KD_H
#define KDGETLED 0x4B31
#define KDSETLED 0x4B32
#define LED_SCR 0x01
#define LED_NUM 0x02
#define LED_CAP 0x04
#define KDGKBTYPE 0x4B33
#define KB_84 0x01
#define KB_101 0x02
#define KB_OTHER 0x03
#define KDGKBLED 0x4B64
#define KDSKBLED 0x4B65
#endif
`;
