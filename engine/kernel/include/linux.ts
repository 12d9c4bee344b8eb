/**
 * The kernel headers a driver includes. They are plain C: the structures the emulated kernel keeps
 * in emulated memory are declared here once, and the kernel reads its own objects through the
 * layout the C front end computes from these same declarations. Routines are prototypes; the
 * kernel binds TypeScript implementations to them by name. Layouts follow Linux 3.7 (x86) where a
 * driver can see them; what no driver touches is left out.
 */
import { LINUX_KD_H } from '../../uapi/kd';

const H: Record<string, string> = {};

H['linux/compiler.h'] = String.raw`
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H
#define __user
#define __kernel
#define __iomem
#define __force
#define __safe
#define __nocast
#define __rcu
#define __percpu
#define __bitwise
#define __must_check
#define __cold
#define __pure __attribute__((pure))
#define __always_inline inline
#define noinline
#define notrace
#define __attribute_const__
#define __maybe_unused __attribute__((unused))
#define __always_unused __attribute__((unused))
#define __used __attribute__((used))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define __section(s) __attribute__((section(#s)))
#define __read_mostly
#define __visible
#define __weak __attribute__((weak))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" : : : "memory")
#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#endif
`;

H['linux/stddef.h'] = String.raw`
#ifndef _LINUX_STDDEF_H
#define _LINUX_STDDEF_H
#include <linux/compiler.h>
#undef NULL
#define NULL ((void *)0)
enum { false = 0, true = 1 };
#undef offsetof
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#endif
`;

H['linux/types.h'] = String.raw`
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H
#include <linux/stddef.h>
typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;
typedef s8 __s8;
typedef u8 __u8;
typedef s16 __s16;
typedef u16 __u16;
typedef s32 __s32;
typedef u32 __u32;
typedef s64 __s64;
typedef u64 __u64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;
typedef u16 __be16;
typedef u32 __be32;
typedef _Bool bool;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef long long loff_t;
typedef long off_t;
typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;
typedef unsigned int fmode_t;
typedef unsigned int oom_flags_t;
typedef u32 dev_t;
typedef unsigned short umode_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef uid_t kuid_t;
typedef gid_t kgid_t;
typedef long clock_t;
typedef long time_t;
typedef unsigned long sector_t;
#ifdef CONFIG_PHYS_ADDR_T_64BIT
typedef u64 phys_addr_t;
#else
typedef u32 phys_addr_t;
#endif
typedef phys_addr_t resource_size_t;
typedef phys_addr_t dma_addr_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned char unchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
struct list_head { struct list_head *next, *prev; };
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };
struct rcu_head { struct rcu_head *next; void (*func)(struct rcu_head *head); };
#endif
`;

H['linux/errno.h'] = String.raw`
#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H
#include <asm-generic/errno-base.h>
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define ENODATA 61
#define ETIME 62
#define EOVERFLOW 75
#define EBADFD 77
#define EILSEQ 84
#define ENOTSOCK 88
#define EOPNOTSUPP 95
#define EADDRINUSE 98
#define ETIMEDOUT 110
#define EALREADY 114
#define EINPROGRESS 115
#define ECANCELED 125
#define ERESTARTSYS 512
#define ENOIOCTLCMD 515
#define ENOTSUPP 524
#endif
`;

H['asm-generic/errno-base.h'] = String.raw`
#ifndef _ASM_GENERIC_ERRNO_BASE_H
#define _ASM_GENERIC_ERRNO_BASE_H
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#endif
`;

H['asm/errno.h'] = '#include <linux/errno.h>\n';
H['linux/err.h'] = String.raw`
#ifndef _LINUX_ERR_H
#define _LINUX_ERR_H
#include <linux/compiler.h>
#include <asm/errno.h>
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline long IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline long IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE((unsigned long)ptr); }
static inline void *ERR_CAST(const void *ptr) { return (void *)ptr; }
static inline int PTR_RET(const void *ptr) { if (IS_ERR(ptr)) return PTR_ERR(ptr); else return 0; }
#endif
`;

H['linux/stdarg.h'] = String.raw`
#ifndef _LINUX_STDARG_H
#define _LINUX_STDARG_H
typedef __builtin_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v) __builtin_va_end(v)
#define va_arg(v, T) __builtin_va_arg(v, T)
#define va_copy(d, s) __builtin_va_copy(d, s)
#endif
`;
H['stdarg.h'] = H['linux/stdarg.h'];

H['linux/version.h'] = String.raw`
#define LINUX_VERSION_CODE 198410
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))
#define UTS_RELEASE "3.7.10-kmemlab"
`;

H['linux/kernel.h'] = String.raw`
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H
#include <linux/stdarg.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include <linux/err.h>
#define USHRT_MAX ((u16)(~0U))
#define SHRT_MAX ((s16)(USHRT_MAX >> 1))
#define SHRT_MIN ((s16)(-SHRT_MAX - 1))
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define LONG_MIN (-LONG_MAX - 1)
#define ULONG_MAX (~0UL)
#define LLONG_MAX ((long long)(~0ULL >> 1))
#define LLONG_MIN (-LLONG_MAX - 1)
#define ULLONG_MAX (~0ULL)
#define SIZE_MAX (~(size_t)0)
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)(n))
#define min(x, y) ({ __typeof__(x) _min1 = (x); __typeof__(y) _min2 = (y); (void)(&_min1 == &_min2); _min1 < _min2 ? _min1 : _min2; })
#define max(x, y) ({ __typeof__(x) _max1 = (x); __typeof__(y) _max2 = (y); (void)(&_max1 == &_max2); _max1 > _max2 ? _max1 : _max2; })
#define min3(x, y, z) min((__typeof__(x))min(x, y), z)
#define max3(x, y, z) max((__typeof__(x))max(x, y), z)
#define min_t(type, x, y) ({ type __min1 = (x); type __min2 = (y); __min1 < __min2 ? __min1 : __min2; })
#define max_t(type, x, y) ({ type __max1 = (x); type __max2 = (y); __max1 > __max2 ? __max1 : __max2; })
#define clamp(val, lo, hi) min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi) clamp_t(__typeof__(val), val, lo, hi)
#define swap(a, b) do { __typeof__(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#define abs(x) ({ long __x = (x); (__x < 0) ? -__x : __x; })
#define container_of(ptr, type, member) ({ const __typeof__(((type *)0)->member) *__mptr = (ptr); (type *)((char *)__mptr - offsetof(type, member)); })
#define __round_mask(x, y) ((__typeof__(x))((y) - 1))
int sprintf(char *buf, const char *fmt, ...);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int scnprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int vsprintf(char *buf, const char *fmt, va_list args);
int sscanf(const char *buf, const char *fmt, ...);
unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base);
long simple_strtol(const char *cp, char **endp, unsigned int base);
unsigned long long simple_strtoull(const char *cp, char **endp, unsigned int base);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);
void panic(const char *fmt, ...) __attribute__((noreturn));
void dump_stack(void);
#define might_sleep() __might_sleep(__FILE__, __LINE__)
void __might_sleep(const char *file, int line);
#define might_fault() might_sleep()
int __kmemlab_in_atomic(void);
#endif
`;

H['linux/printk.h'] = String.raw`
#ifndef _LINUX_PRINTK_H
#define _LINUX_PRINTK_H
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT KERN_SOH "d"
#define KERN_CONT ""
int printk(const char *fmt, ...);
int vprintk(const char *fmt, __builtin_va_list args);
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warning(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn pr_warning
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
void print_hex_dump_bytes(const char *prefix_str, int prefix_type, const void *buf, size_t len);
#define DUMP_PREFIX_NONE 0
#define DUMP_PREFIX_ADDRESS 1
#define DUMP_PREFIX_OFFSET 2
#endif
`;

H['linux/bug.h'] = String.raw`
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H
void __kmemlab_bug(const char *file, int line) __attribute__((noreturn));
int __kmemlab_warn(int condition, const char *file, int line, const char *fmt, ...);
#define BUG() __kmemlab_bug(__FILE__, __LINE__)
#define BUG_ON(condition) do { if (unlikely(condition)) BUG(); } while (0)
#define WARN_ON(condition) ({ int __ret_warn_on = !!(condition); if (unlikely(__ret_warn_on)) __kmemlab_warn(1, __FILE__, __LINE__, 0); unlikely(__ret_warn_on); })
#define WARN(condition, format...) ({ int __ret_warn_on = !!(condition); if (unlikely(__ret_warn_on)) __kmemlab_warn(1, __FILE__, __LINE__, format); unlikely(__ret_warn_on); })
#define WARN_ON_ONCE(condition) WARN_ON(condition)
#define WARN_ONCE(condition, format...) WARN(condition, format)
#define BUILD_BUG_ON(condition) ((void)sizeof(char[1 - 2 * !!(condition)]))
#define BUILD_BUG_ON_ZERO(e) (sizeof(struct { int:-!!(e); }))
#define BUILD_BUG_ON_NOT_POWER_OF_2(n) BUILD_BUG_ON((n) == 0 || (((n) & ((n) - 1)) != 0))
#define BUILD_BUG() BUILD_BUG_ON(1)
#endif
`;

H['linux/init.h'] = String.raw`
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H
#include <linux/compiler.h>
#define __init __attribute__((section(".init.text")))
#define __exit __attribute__((section(".exit.text")))
#define __initdata
#define __exitdata
#define __initconst
#define __devinit
#define __devexit
#define __devinitdata
#define __exit_p(x) x
#define __devexit_p(x) x
typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);
#define module_init(initfn) static initcall_t __kmemlab_module_init __attribute__((used, section(".initcall"))) = initfn
#define module_exit(exitfn) static exitcall_t __kmemlab_module_exit __attribute__((used, section(".exitcall"))) = exitfn
#endif
`;

H['linux/module.h'] = String.raw`
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/string.h>
#include <linux/moduleparam.h>
#include <linux/export.h>
#define MODULE_NAME_LEN 56
enum module_state { MODULE_STATE_LIVE, MODULE_STATE_COMING, MODULE_STATE_GOING };
struct module {
	enum module_state state;
	struct list_head list;
	char name[MODULE_NAME_LEN];
	void *module_core;
	unsigned int core_size;
	atomic_t refcnt;
};
extern struct module __this_module;
#define THIS_MODULE (&__this_module)
#define __MODULE_INFO(tag, name, info) static const char __UNIQUE_ID(name)[] __attribute__((used, section(".modinfo"))) = #tag "=" info
#define MODULE_INFO(tag, info) __MODULE_INFO(tag, tag, info)
#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_AUTHOR(a) MODULE_INFO(author, a)
#define MODULE_DESCRIPTION(d) MODULE_INFO(description, d)
#define MODULE_VERSION(v) MODULE_INFO(version, v)
#define MODULE_ALIAS(a) MODULE_INFO(alias, a)
#define MODULE_SUPPORTED_DEVICE(n)
#define MODULE_DEVICE_TABLE(type, name)
int try_module_get(struct module *module);
void module_put(struct module *module);
#endif
`;

H['linux/export.h'] = String.raw`
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H
#define EXPORT_SYMBOL(sym) static const void *__ksymtab_##sym __attribute__((used, section("__ksymtab"))) = (const void *)&sym
#define EXPORT_SYMBOL_GPL(sym) static const void *__ksymtab_gpl_##sym __attribute__((used, section("__ksymtab_gpl"))) = (const void *)&sym
#endif
`;

H['linux/moduleparam.h'] = String.raw`
#ifndef _LINUX_MODULEPARAM_H
#define _LINUX_MODULEPARAM_H
#define module_param(name, type, perm) static const char __param_##name[] __attribute__((used, section("__param"))) = #name ":" #type
#define module_param_named(name, value, type, perm) static const char __param_##name[] __attribute__((used, section("__param"))) = #value ":" #type ":" #name
#define MODULE_PARM_DESC(parm, desc)
#endif
`;

H['linux/list.h'] = String.raw`
#ifndef _LINUX_LIST_H
#define _LINUX_LIST_H
#include <linux/types.h>
#include <linux/stddef.h>
#define LIST_POISON1 ((void *)0x00100100)
#define LIST_POISON2 ((void *)0x00200200)
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *list) { list->next = list; list->prev = list; }
static inline void __list_add(struct list_head *new, struct list_head *prev, struct list_head *next) {
	next->prev = new;
	new->next = next;
	new->prev = prev;
	prev->next = new;
}
static inline void list_add(struct list_head *new, struct list_head *head) { __list_add(new, head, head->next); }
static inline void list_add_tail(struct list_head *new, struct list_head *head) { __list_add(new, head->prev, head); }
static inline void __list_del(struct list_head *prev, struct list_head *next) { next->prev = prev; prev->next = next; }
static inline void list_del(struct list_head *entry) {
	__list_del(entry->prev, entry->next);
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}
static inline void list_del_init(struct list_head *entry) { __list_del(entry->prev, entry->next); INIT_LIST_HEAD(entry); }
static inline void list_move(struct list_head *list, struct list_head *head) { __list_del(list->prev, list->next); list_add(list, head); }
static inline void list_move_tail(struct list_head *list, struct list_head *head) { __list_del(list->prev, list->next); list_add_tail(list, head); }
static inline int list_empty(const struct list_head *head) { return head->next == head; }
static inline int list_is_last(const struct list_head *list, const struct list_head *head) { return list->next == head; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, n, head) for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_reverse(pos, head, member) \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member); &pos->member != (head); pos = list_entry(pos->member.prev, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member), n = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))
#define HLIST_HEAD_INIT { .first = NULL }
#define HLIST_HEAD(name) struct hlist_head name = { .first = NULL }
#define INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)
static inline void INIT_HLIST_NODE(struct hlist_node *h) { h->next = NULL; h->pprev = NULL; }
static inline int hlist_unhashed(const struct hlist_node *h) { return !h->pprev; }
static inline int hlist_empty(const struct hlist_head *h) { return !h->first; }
static inline void __hlist_del(struct hlist_node *n) {
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;
	*pprev = next;
	if (next) next->pprev = pprev;
}
static inline void hlist_del(struct hlist_node *n) { __hlist_del(n); n->next = LIST_POISON1; n->pprev = LIST_POISON2; }
static inline void hlist_del_init(struct hlist_node *n) { if (!hlist_unhashed(n)) { __hlist_del(n); INIT_HLIST_NODE(n); } }
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h) {
	struct hlist_node *first = h->first;
	n->next = first;
	if (first) first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}
#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_for_each(pos, head) for (pos = (head)->first; pos; pos = pos->next)
#define hlist_for_each_safe(pos, n, head) for (pos = (head)->first; pos && ({ n = pos->next; 1; }); pos = n)
#define hlist_entry_safe(ptr, type, member) ({ __typeof__(ptr) ____ptr = (ptr); ____ptr ? hlist_entry(____ptr, type, member) : NULL; })
/*
 * 3.7's hlist_for_each_entry(tpos, pos, head, member) keeps a struct hlist_node cursor; 3.9 dropped
 * it for (pos, head, member). Drivers of both eras compile: the argument count picks the form.
 */
#define __hlist_for_each_entry4(tpos, pos, head, member) \
	for (pos = (head)->first; pos && ({ tpos = hlist_entry(pos, __typeof__(*(tpos)), member); 1; }); pos = pos->next)
#define __hlist_for_each_entry3(pos, head, member) \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), member); pos; pos = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), member))
#define __hlist_pick(_1, _2, _3, _4, name, ...) name
#define hlist_for_each_entry(...) __hlist_pick(__VA_ARGS__, __hlist_for_each_entry4, __hlist_for_each_entry3)(__VA_ARGS__)
#endif
`;

H['linux/spinlock.h'] = String.raw`
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H
#include <linux/types.h>
typedef struct spinlock {
	unsigned int slock;
	unsigned int magic;
	unsigned int owner_cpu;
	void *owner;
} spinlock_t;
typedef spinlock_t raw_spinlock_t;
typedef struct { spinlock_t lock; } rwlock_t;
#define SPINLOCK_MAGIC 0xdead4ead
#define __SPIN_LOCK_UNLOCKED(name) { 0, SPINLOCK_MAGIC, 0xffffffff, (void *)-1L }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define spin_lock_init(lock) __kmemlab_spin_lock_init(lock, #lock)
void __kmemlab_spin_lock_init(spinlock_t *lock, const char *name);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
int spin_is_locked(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
unsigned long __kmemlab_spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
#define spin_lock_irqsave(lock, flags) do { flags = __kmemlab_spin_lock_irqsave(lock); } while (0)
#define raw_spin_lock spin_lock
#define raw_spin_unlock spin_unlock
#define local_irq_save(flags) do { flags = __kmemlab_local_irq_save(); } while (0)
#define local_irq_restore(flags) __kmemlab_local_irq_restore(flags)
unsigned long __kmemlab_local_irq_save(void);
void __kmemlab_local_irq_restore(unsigned long flags);
void local_irq_disable(void);
void local_irq_enable(void);
void preempt_disable(void);
void preempt_enable(void);
#endif
`;

H['linux/mutex.h'] = String.raw`
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H
#include <linux/list.h>
#include <linux/spinlock.h>
struct task_struct;
struct mutex {
	atomic_t count;
	spinlock_t wait_lock;
	struct list_head wait_list;
	struct task_struct *owner;
	const char *name;
	void *magic;
};
#define __MUTEX_INITIALIZER(lockname) { { 1 }, __SPIN_LOCK_UNLOCKED(lockname.wait_lock), LIST_HEAD_INIT(lockname.wait_list), NULL, #lockname, &lockname }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)
#define mutex_init(mutex) __mutex_init((mutex), #mutex)
void __mutex_init(struct mutex *lock, const char *name);
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_lock_killable(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
int mutex_is_locked(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
#endif
`;

H['linux/semaphore.h'] = String.raw`
#ifndef _LINUX_SEMAPHORE_H
#define _LINUX_SEMAPHORE_H
#include <linux/list.h>
#include <linux/spinlock.h>
struct semaphore { spinlock_t lock; unsigned int count; struct list_head wait_list; };
void sema_init(struct semaphore *sem, int val);
void down(struct semaphore *sem);
int down_interruptible(struct semaphore *sem);
int down_trylock(struct semaphore *sem);
void up(struct semaphore *sem);
#endif
`;

H['linux/rwsem.h'] = String.raw`
#ifndef _LINUX_RWSEM_H
#define _LINUX_RWSEM_H
#include <linux/list.h>
#include <linux/spinlock.h>
struct rw_semaphore { long count; spinlock_t wait_lock; struct list_head wait_list; };
void down_read(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
#endif
`;

H['linux/string.h'] = String.raw`
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H
#include <linux/types.h>
void *memset(void *s, int c, size_t n);
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
size_t strlcpy(char *dest, const char *src, size_t size);
char *strcat(char *dest, const char *src);
char *strncat(char *dest, const char *src, size_t n);
size_t strlcat(char *dest, const char *src, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *kstrdup(const char *s, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
#endif
`;

H['linux/ctype.h'] = String.raw`
#ifndef _LINUX_CTYPE_H
#define _LINUX_CTYPE_H
static inline int isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int isxdigit(int c) { return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static inline int islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int isalpha(int c) { return islower(c) || isupper(c); }
static inline int isalnum(int c) { return isalpha(c) || isdigit(c); }
static inline int isspace(int c) { return c == ' ' || (c >= 9 && c <= 13); }
static inline int isprint(int c) { return c >= 32 && c < 127; }
static inline int tolower(int c) { return isupper(c) ? c - 'A' + 'a' : c; }
static inline int toupper(int c) { return islower(c) ? c - 'a' + 'A' : c; }
#endif
`;

H['linux/gfp.h'] = String.raw`
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H
#include <linux/types.h>
#define ___GFP_DMA 0x01u
#define ___GFP_HIGHMEM 0x02u
#define ___GFP_DMA32 0x04u
#define ___GFP_MOVABLE 0x08u
#define ___GFP_WAIT 0x10u
#define ___GFP_HIGH 0x20u
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_COLD 0x100u
#define ___GFP_NOWARN 0x200u
#define ___GFP_REPEAT 0x400u
#define ___GFP_NOFAIL 0x800u
#define ___GFP_NORETRY 0x1000u
#define ___GFP_COMP 0x4000u
#define ___GFP_ZERO 0x8000u
#define ___GFP_NOMEMALLOC 0x10000u
#define ___GFP_HARDWALL 0x20000u
#define ___GFP_RECLAIMABLE 0x80000u
#define ___GFP_NOTRACK 0x200000u
#define __GFP_DMA ((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM ((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32 ((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE ((gfp_t)___GFP_MOVABLE)
#define __GFP_WAIT ((gfp_t)___GFP_WAIT)
#define __GFP_HIGH ((gfp_t)___GFP_HIGH)
#define __GFP_IO ((gfp_t)___GFP_IO)
#define __GFP_FS ((gfp_t)___GFP_FS)
#define __GFP_COLD ((gfp_t)___GFP_COLD)
#define __GFP_NOWARN ((gfp_t)___GFP_NOWARN)
#define __GFP_REPEAT ((gfp_t)___GFP_REPEAT)
#define __GFP_NOFAIL ((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY ((gfp_t)___GFP_NORETRY)
#define __GFP_COMP ((gfp_t)___GFP_COMP)
#define __GFP_ZERO ((gfp_t)___GFP_ZERO)
#define __GFP_HARDWALL ((gfp_t)___GFP_HARDWALL)
#define GFP_NOWAIT 0u
#define GFP_ATOMIC (__GFP_HIGH)
#define GFP_NOIO (__GFP_WAIT)
#define GFP_NOFS (__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER (__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
struct page;
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
#define alloc_page(gfp_mask) alloc_pages(gfp_mask, 0)
unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp_mask);
#define __get_free_page(gfp_mask) __get_free_pages((gfp_mask), 0)
void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
#define __free_page(page) __free_pages((page), 0)
#define free_page(addr) free_pages((addr), 0)
int get_order(unsigned long size);
#endif
`;

H['linux/slab.h'] = String.raw`
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H
#include <linux/gfp.h>
#include <linux/types.h>
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define SLAB_HWCACHE_ALIGN 0x00002000UL
#define SLAB_PANIC 0x00040000UL
#define KMALLOC_MIN_SIZE 8
struct kmem_cache;
void *kmalloc(size_t size, gfp_t flags);
void *__kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *objp);
void kzfree(const void *objp);
size_t ksize(const void *objp);
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align, unsigned long flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *cachep);
void *kmem_cache_alloc(struct kmem_cache *cachep, gfp_t flags);
void *kmem_cache_zalloc(struct kmem_cache *cachep, gfp_t flags);
void kmem_cache_free(struct kmem_cache *cachep, void *objp);
#endif
`;

H['linux/vmalloc.h'] = String.raw`
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H
#include <linux/types.h>
#include <asm/page.h>
struct page;
struct vm_area_struct;
#define VM_IOREMAP 0x00000001
#define VM_ALLOC 0x00000002
#define VM_MAP 0x00000004
#define VM_USERMAP 0x00000008
#define VM_VPAGES 0x00000010
#define VM_UNLIST 0x00000020
struct vm_struct {
	struct vm_struct *next;
	void *addr;
	unsigned long size;
	unsigned long flags;
	struct page **pages;
	unsigned int nr_pages;
	phys_addr_t phys_addr;
	const void *caller;
};
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *vmalloc_user(unsigned long size);
void *vmalloc_32(unsigned long size);
void *vmalloc_32_user(unsigned long size);
void *vmalloc_exec(unsigned long size);
void vfree(const void *addr);
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *addr);
struct vm_struct *find_vm_area(const void *addr);
int remap_vmalloc_range(struct vm_area_struct *vma, void *addr, unsigned long pgoff);
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);
int is_vmalloc_addr(const void *x);
void vm_unmap_aliases(void);
#endif
`;

H['asm/page.h'] = String.raw`
#ifndef _ASM_X86_PAGE_H
#define _ASM_X86_PAGE_H
#include <linux/types.h>
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#ifndef ALIGN
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#endif
#ifdef __x86_64__
#define __PAGE_OFFSET 0xffff880000000000UL
#define __START_KERNEL_map 0xffffffff80000000UL
#define VMALLOC_START 0xffffc90000000000UL
#define VMALLOC_END 0xffffe8ffffffffffUL
#define VMEMMAP_START 0xffffea0000000000UL
#define MODULES_VADDR 0xffffffffa0000000UL
#define MODULES_END 0xffffffffff000000UL
#define TASK_SIZE 0x7ffffffff000UL
#define PGDIR_SHIFT 39
#define PUD_SHIFT 30
#define PMD_SHIFT 21
#define PTRS_PER_PGD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PTE 512
#else
#define __PAGE_OFFSET 0xC0000000UL
#define TASK_SIZE __PAGE_OFFSET
#ifdef CONFIG_X86_PAE
#define PGDIR_SHIFT 30
#define PMD_SHIFT 21
#define PTRS_PER_PGD 4
#define PTRS_PER_PMD 512
#define PTRS_PER_PTE 512
#else
#define PGDIR_SHIFT 22
#define PTRS_PER_PGD 1024
#define PTRS_PER_PTE 1024
#endif
#define VMALLOC_START ((unsigned long)__kmemlab_vmalloc_start())
#define VMALLOC_END ((unsigned long)__kmemlab_vmalloc_end())
unsigned long __kmemlab_vmalloc_start(void);
unsigned long __kmemlab_vmalloc_end(void);
#endif
#define PAGE_OFFSET ((unsigned long)__PAGE_OFFSET)
#define TASK_SIZE_MAX TASK_SIZE
struct page;
#ifdef CONFIG_X86_PAE
typedef u64 pteval_t;
#elif defined(__x86_64__)
typedef unsigned long pteval_t;
#else
typedef unsigned long pteval_t;
#endif
typedef pteval_t pgprotval_t;
typedef struct { pgprotval_t pgprot; } pgprot_t;
typedef struct { pteval_t pte; } pte_t;
typedef struct { pteval_t pgd; } pgd_t;
#ifdef __x86_64__
#define PAGETABLE_LEVELS 4
typedef struct { pteval_t pud; } pud_t;
typedef struct { pteval_t pmd; } pmd_t;
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#else
/* asm-generic/pgtable-nopud.h: one PUD entry, which is the PGD entry itself. */
#define __PAGETABLE_PUD_FOLDED
#define PUD_SHIFT PGDIR_SHIFT
#define PTRS_PER_PUD 1
typedef struct { pgd_t pgd; } pud_t;
#ifdef CONFIG_X86_PAE
#define PAGETABLE_LEVELS 3
typedef struct { pteval_t pmd; } pmd_t;
#else
/* asm-generic/pgtable-nopmd.h: one PMD entry, which is the PUD (so the PGD) entry itself. */
#define PAGETABLE_LEVELS 2
#define __PAGETABLE_PMD_FOLDED
#define PMD_SHIFT PUD_SHIFT
#define PTRS_PER_PMD 1
typedef struct { pud_t pud; } pmd_t;
#endif
#define PGDIR_SIZE (1ULL << PGDIR_SHIFT)
#endif
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define PUD_SIZE (1ULL << PUD_SHIFT)
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define pgprot_val(x) ((x).pgprot)
#define __pgprot(x) ((pgprot_t) { (x) })
#define pte_val(x) ((x).pte)
#define __pte(x) ((pte_t) { (x) })
unsigned long __kmemlab_pa(const volatile void *x);
void *__kmemlab_va(unsigned long pa);
#define __pa(x) __kmemlab_pa((const volatile void *)(x))
#define __va(x) __kmemlab_va((unsigned long)(x))
#define __pa_symbol(x) __pa(x)
struct page *virt_to_page(const volatile void *addr);
struct page *pfn_to_page(unsigned long pfn);
unsigned long page_to_pfn(const struct page *page);
#define virt_addr_valid(kaddr) __kmemlab_virt_addr_valid((const void *)(kaddr))
int __kmemlab_virt_addr_valid(const void *kaddr);
#define pfn_valid(pfn) __kmemlab_pfn_valid(pfn)
int __kmemlab_pfn_valid(unsigned long pfn);
#define page_to_phys(page) ((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#define phys_to_page(pa) pfn_to_page((pa) >> PAGE_SHIFT)
#endif
`;

H['asm/pgtable.h'] = String.raw`
#ifndef _ASM_X86_PGTABLE_H
#define _ASM_X86_PGTABLE_H
#include <asm/page.h>
#define _PAGE_BIT_PRESENT 0
#define _PAGE_BIT_RW 1
#define _PAGE_BIT_USER 2
#define _PAGE_BIT_PWT 3
#define _PAGE_BIT_PCD 4
#define _PAGE_BIT_ACCESSED 5
#define _PAGE_BIT_DIRTY 6
#define _PAGE_BIT_PSE 7
#define _PAGE_BIT_GLOBAL 8
#define _PAGE_BIT_SPECIAL 9
#define _PAGE_BIT_NX 63
#define _PAGE_PRESENT ((pteval_t)1 << _PAGE_BIT_PRESENT)
#define _PAGE_RW ((pteval_t)1 << _PAGE_BIT_RW)
#define _PAGE_USER ((pteval_t)1 << _PAGE_BIT_USER)
#define _PAGE_PWT ((pteval_t)1 << _PAGE_BIT_PWT)
#define _PAGE_PCD ((pteval_t)1 << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED ((pteval_t)1 << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY ((pteval_t)1 << _PAGE_BIT_DIRTY)
#define _PAGE_PSE ((pteval_t)1 << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL ((pteval_t)1 << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL ((pteval_t)1 << _PAGE_BIT_SPECIAL)
#if defined(__x86_64__) || defined(CONFIG_X86_PAE)
#define _PAGE_NX ((pteval_t)1 << _PAGE_BIT_NX)
#else
#define _PAGE_NX ((pteval_t)0)
#endif
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_NONE __pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define _PAGE_PROTNONE _PAGE_GLOBAL
#define PAGE_SHARED __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define __PAGE_KERNEL (_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL __pgprot(__PAGE_KERNEL)
#define PAGE_KERNEL_RO __pgprot(__PAGE_KERNEL & ~_PAGE_RW)
#define PAGE_KERNEL_NOCACHE __pgprot(__PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)
#define pgprot_noncached(prot) __pgprot(pgprot_val(prot) | _PAGE_PCD | _PAGE_PWT)
#define pgprot_writecombine(prot) __pgprot(pgprot_val(prot) | _PAGE_PWT)
void flush_tlb_all(void);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
void __flush_tlb_one(unsigned long addr);
void __flush_tlb(void);
#define flush_tlb() __flush_tlb()
struct vm_area_struct;
struct mm_struct;
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
void flush_tlb_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
void flush_tlb_mm(struct mm_struct *mm);
/*
 * Walking the page tables, as pgtable.h, pgtable-3level.h and asm-generic/pgtable-nop{u,m}d.h
 * define it. The tables are in lowmem, so an entry's table is at __va() of its frame. A folded
 * level's offset() returns its parent entry cast to its own type, and its parent's none() /
 * bad() are 0 and present() is 1: the walk takes the same steps on every layout.
 */
#ifdef __x86_64__
#define PTE_PFN_MASK ((pteval_t)0x00003ffffffff000ULL)
#elif defined(CONFIG_X86_PAE)
#define PTE_PFN_MASK ((pteval_t)0x00000ffffffff000ULL)
#else
#define PTE_PFN_MASK ((pteval_t)0xfffff000UL)
#endif
#define pgd_val(x) ((x).pgd)
#ifdef __PAGETABLE_PUD_FOLDED
#define pud_val(x) (pgd_val((x).pgd))
#else
#define pud_val(x) ((x).pud)
#endif
#ifdef __PAGETABLE_PMD_FOLDED
#define pmd_val(x) (pud_val((x).pud))
#else
#define pmd_val(x) ((x).pmd)
#endif
#define pgd_index(address) (((address) >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1))
#define pud_index(address) (((address) >> PUD_SHIFT) & (PTRS_PER_PUD - 1))
#define pmd_index(address) (((address) >> PMD_SHIFT) & (PTRS_PER_PMD - 1))
#define pte_index(address) (((address) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))
#define pgd_offset(mm, address) ((mm)->pgd + pgd_index(address))
#ifdef __PAGETABLE_PUD_FOLDED
static inline int pgd_none(pgd_t pgd) { return 0; }
static inline int pgd_bad(pgd_t pgd) { return 0; }
static inline int pgd_present(pgd_t pgd) { return 1; }
static inline pud_t *pud_offset(pgd_t *pgd, unsigned long address) { return (pud_t *)pgd; }
#else
static inline int pgd_none(pgd_t pgd) { return !pgd_val(pgd); }
static inline int pgd_bad(pgd_t pgd) { return (pgd_val(pgd) & ~(PTE_PFN_MASK | _PAGE_USER)) != _KERNPG_TABLE; }
static inline int pgd_present(pgd_t pgd) { return (pgd_val(pgd) & _PAGE_PRESENT) != 0; }
static inline pud_t *pud_offset(pgd_t *pgd, unsigned long address) { return (pud_t *)__va(pgd_val(*pgd) & PTE_PFN_MASK) + pud_index(address); }
#endif
#ifdef __PAGETABLE_PMD_FOLDED
static inline int pud_none(pud_t pud) { return 0; }
static inline int pud_bad(pud_t pud) { return 0; }
static inline int pud_present(pud_t pud) { return 1; }
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long address) { return (pmd_t *)pud; }
#else
static inline int pud_none(pud_t pud) { return !pud_val(pud); }
#ifdef CONFIG_X86_PAE
/* A PDPTE has no R/W or U/S bits: only the present bit and the frame. */
static inline int pud_bad(pud_t pud) { return (pud_val(pud) & ~(PTE_PFN_MASK | _KERNPG_TABLE | _PAGE_USER)) != 0; }
#else
static inline int pud_bad(pud_t pud) { return (pud_val(pud) & ~(PTE_PFN_MASK | _PAGE_USER)) != _KERNPG_TABLE; }
#endif
static inline int pud_present(pud_t pud) { return (pud_val(pud) & _PAGE_PRESENT) != 0; }
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long address) { return (pmd_t *)__va(pud_val(*pud) & PTE_PFN_MASK) + pmd_index(address); }
#endif
static inline int pmd_none(pmd_t pmd) { return !pmd_val(pmd); }
static inline int pmd_present(pmd_t pmd) { return (pmd_val(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) != 0; }
static inline int pmd_large(pmd_t pmd) { return (pmd_val(pmd) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT); }
static inline int pmd_bad(pmd_t pmd) { return (pmd_val(pmd) & ~(PTE_PFN_MASK | _PAGE_USER)) != _KERNPG_TABLE; }
static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long address) { return (pte_t *)__va(pmd_val(*pmd) & PTE_PFN_MASK) + pte_index(address); }
/* No CONFIG_HIGHPTE: page tables stay in lowmem, so mapping one needs no kmap_atomic. */
#define pte_offset_map(pmd, address) pte_offset_kernel(pmd, address)
#define pte_unmap(pte) do { } while (0)
static inline int pte_none(pte_t pte) { return !pte_val(pte); }
static inline int pte_present(pte_t pte) { return (pte_val(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0; }
static inline unsigned long pte_pfn(pte_t pte) { return (pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline int pte_write(pte_t pte) { return (pte_val(pte) & _PAGE_RW) != 0; }
static inline int pte_dirty(pte_t pte) { return (pte_val(pte) & _PAGE_DIRTY) != 0; }
static inline int pte_young(pte_t pte) { return (pte_val(pte) & _PAGE_ACCESSED) != 0; }
static inline int pte_exec(pte_t pte) { return !(pte_val(pte) & _PAGE_NX); }
#endif
`;

H['asm/io.h'] = String.raw`
#ifndef _ASM_X86_IO_H
#define _ASM_X86_IO_H
#include <asm/page.h>
static inline phys_addr_t virt_to_phys(volatile void *address) { return __pa(address); }
static inline void *phys_to_virt(phys_addr_t address) { return __va(address); }
#define virt_to_bus virt_to_phys
#define bus_to_virt phys_to_virt
#endif
`;
H['linux/io.h'] = '#include <asm/io.h>\n';

H['asm/uaccess.h'] = String.raw`
#ifndef _ASM_X86_UACCESS_H
#define _ASM_X86_UACCESS_H
#include <linux/types.h>
#include <linux/compiler.h>
#define VERIFY_READ 0
#define VERIFY_WRITE 1
typedef struct { unsigned long seg; } mm_segment_t;
#define MAKE_MM_SEG(s) ((mm_segment_t) { (s) })
#define KERNEL_DS MAKE_MM_SEG(-1UL)
#define USER_DS MAKE_MM_SEG(TASK_SIZE_MAX)
mm_segment_t get_fs(void);
void set_fs(mm_segment_t fs);
#define get_ds() (KERNEL_DS)
#define segment_eq(a, b) ((a).seg == (b).seg)
int __kmemlab_access_ok(int type, const void __user *addr, unsigned long size);
#define access_ok(type, addr, size) __kmemlab_access_ok((type), (const void __user *)(addr), (size))
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long __copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long __copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long clear_user(void __user *to, unsigned long n);
unsigned long __clear_user(void __user *to, unsigned long n);
long strncpy_from_user(char *dst, const char __user *src, long count);
long strnlen_user(const char __user *src, long n);
int __put_user_1(const void *kernel_src, void __user *ptr);
int __put_user_2(const void *kernel_src, void __user *ptr);
int __put_user_4(const void *kernel_src, void __user *ptr);
int __put_user_8(const void *kernel_src, void __user *ptr);
int __get_user_1(void *kernel_dst, const void __user *ptr);
int __get_user_2(void *kernel_dst, const void __user *ptr);
int __get_user_4(void *kernel_dst, const void __user *ptr);
int __get_user_8(void *kernel_dst, const void __user *ptr);
#define __put_user_sized(src, ptr, size) \
	((size) == 1 ? __put_user_1(src, ptr) : (size) == 2 ? __put_user_2(src, ptr) : (size) == 4 ? __put_user_4(src, ptr) : __put_user_8(src, ptr))
#define __get_user_sized(dst, ptr, size) \
	((size) == 1 ? __get_user_1(dst, ptr) : (size) == 2 ? __get_user_2(dst, ptr) : (size) == 4 ? __get_user_4(dst, ptr) : __get_user_8(dst, ptr))
#define put_user(x, ptr) ({ __typeof__(*(ptr)) __pu_val = (x); __put_user_sized(&__pu_val, (ptr), sizeof(*(ptr))); })
#define get_user(x, ptr) ({ __typeof__(*(ptr)) __gu_val; int __gu_err = __get_user_sized(&__gu_val, (ptr), sizeof(*(ptr))); (x) = __gu_val; __gu_err; })
#define __put_user(x, ptr) put_user(x, ptr)
#define __get_user(x, ptr) get_user(x, ptr)
#define put_user_try do { int __kmemlab_uaccess_err = 0;
#define put_user_ex(x, ptr) do { __kmemlab_uaccess_err |= put_user(x, ptr); } while (0)
#define put_user_catch(err) (err) |= __kmemlab_uaccess_err ? -EFAULT : 0; } while (0)
#define get_user_try put_user_try
#define get_user_ex(x, ptr) do { __kmemlab_uaccess_err |= get_user(x, ptr); } while (0)
#define get_user_catch(err) put_user_catch(err)
#endif
`;
H['linux/uaccess.h'] = '#include <asm/uaccess.h>\nlong probe_kernel_read(void *dst, const void *src, size_t size);\nlong probe_kernel_write(void *dst, const void *src, size_t size);\n';

H['linux/mm_types.h'] = String.raw`
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <asm/page.h>
struct address_space;
struct file;
struct anon_vma;
struct mm_struct;
struct vm_operations_struct;
struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};
struct rb_root { struct rb_node *rb_node; };
/* One per physical page frame, in the vmemmap array (page_to_pfn is an index). */
struct page {
	unsigned long flags;
	struct address_space *mapping;
	union {
		pgoff_t index;
		void *freelist;
	};
	union {
		unsigned long counters;
		struct {
			atomic_t _mapcount;
			atomic_t _count;
		};
	};
	struct list_head lru;
	unsigned long private;
	struct kmem_cache *slab_cache;
};
typedef unsigned long vm_flags_t;
/* A user virtual memory area: [vm_start, vm_end) of one mm. */
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start;
	unsigned long vm_end;
	struct vm_area_struct *vm_next, *vm_prev;
	pgprot_t vm_page_prot;
	unsigned long vm_flags;
	struct rb_node vm_rb;
	union {
		struct {
			struct rb_node rb;
			unsigned long rb_subtree_last;
		} linear;
		struct list_head nonlinear;
	} shared;
	struct list_head anon_vma_chain;
	struct anon_vma *anon_vma;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;
	struct file *vm_file;
	void *vm_private_data;
};
typedef struct { void *ldt; int size; unsigned short ia32_compat; void *vdso; } mm_context_t;
struct mm_struct {
	struct vm_area_struct *mmap;
	struct rb_root mm_rb;
	struct vm_area_struct *mmap_cache;
	unsigned long (*get_unmapped_area)(struct file *filp, unsigned long addr, unsigned long len, unsigned long pgoff, unsigned long flags);
	void (*unmap_area)(struct mm_struct *mm, unsigned long addr);
	unsigned long mmap_base;
	unsigned long task_size;
	unsigned long cached_hole_size;
	unsigned long free_area_cache;
	pgd_t *pgd;
	atomic_t mm_users;
	atomic_t mm_count;
	int map_count;
	spinlock_t page_table_lock;
	struct rw_semaphore mmap_sem;
	struct list_head mmlist;
	unsigned long hiwater_rss;
	unsigned long hiwater_vm;
	unsigned long total_vm;
	unsigned long locked_vm;
	unsigned long pinned_vm;
	unsigned long shared_vm;
	unsigned long exec_vm;
	unsigned long stack_vm;
	unsigned long def_flags;
	unsigned long nr_ptes;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long rss_file, rss_anon, rss_swap;
	mm_context_t context;
	struct task_struct *owner;
	struct file *exe_file;
};
#endif
`;

H['linux/mm.h'] = String.raw`
#ifndef _LINUX_MM_H
#define _LINUX_MM_H
#include <linux/mm_types.h>
#include <linux/gfp.h>
#include <linux/err.h>
#include <linux/string.h>
#include <asm/pgtable.h>
#include <asm/io.h>
#include <linux/kernel.h>
#define VM_NONE 0x00000000
#define VM_READ 0x00000001
#define VM_WRITE 0x00000002
#define VM_EXEC 0x00000004
#define VM_SHARED 0x00000008
#define VM_MAYREAD 0x00000010
#define VM_MAYWRITE 0x00000020
#define VM_MAYEXEC 0x00000040
#define VM_MAYSHARE 0x00000080
#define VM_GROWSDOWN 0x00000100
#define VM_PFNMAP 0x00000400
#define VM_DENYWRITE 0x00000800
#define VM_LOCKED 0x00002000
#define VM_IO 0x00004000
#define VM_SEQ_READ 0x00008000
#define VM_RAND_READ 0x00010000
#define VM_DONTCOPY 0x00020000
#define VM_DONTEXPAND 0x00040000
#define VM_ACCOUNT 0x00100000
#define VM_NORESERVE 0x00200000
#define VM_HUGETLB 0x00400000
#define VM_NONLINEAR 0x00800000
#define VM_ARCH_1 0x01000000
#define VM_PAT VM_ARCH_1
#define VM_DONTDUMP 0x04000000
#define VM_MIXEDMAP 0x10000000
#define VM_HUGEPAGE 0x20000000
#define VM_NOHUGEPAGE 0x40000000
#define VM_MERGEABLE 0x80000000
#define VM_STACK_FLAGS (VM_GROWSDOWN | VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT)
#define FAULT_FLAG_WRITE 0x01
#define FAULT_FLAG_NONLINEAR 0x02
#define FAULT_FLAG_MKWRITE 0x04
#define FAULT_FLAG_ALLOW_RETRY 0x08
#define FAULT_FLAG_RETRY_NOWAIT 0x10
#define FAULT_FLAG_KILLABLE 0x20
#define FAULT_FLAG_TRIED 0x40
#define FAULT_FLAG_USER 0x80
#define VM_FAULT_OOM 0x0001
#define VM_FAULT_SIGBUS 0x0002
#define VM_FAULT_MAJOR 0x0004
#define VM_FAULT_WRITE 0x0008
#define VM_FAULT_HWPOISON 0x0010
#define VM_FAULT_HWPOISON_LARGE 0x0020
#define VM_FAULT_NOPAGE 0x0100
#define VM_FAULT_LOCKED 0x0200
#define VM_FAULT_RETRY 0x0400
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)
/* What a .fault handler gets: which page of the mapping is wanted, and where to put it. */
struct vm_fault {
	unsigned int flags;
	pgoff_t pgoff;
	void __user *virtual_address;
	struct page *page;
};
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	int (*fault)(struct vm_area_struct *vma, struct vm_fault *vmf);
	int (*page_mkwrite)(struct vm_area_struct *vma, struct vm_fault *vmf);
	int (*access)(struct vm_area_struct *vma, unsigned long addr, void *buf, int len, int write);
	int (*remap_pages)(struct vm_area_struct *vma, unsigned long addr, unsigned long size, pgoff_t pgoff);
};
#define PG_locked 0
#define PG_error 1
#define PG_referenced 2
#define PG_uptodate 3
#define PG_dirty 4
#define PG_lru 5
#define PG_active 6
#define PG_slab 7
#define PG_owner_priv_1 8
#define PG_arch_1 9
#define PG_reserved 10
#define PG_private 11
#define PG_writeback 13
#define PG_head 14
#define PG_tail 15
#define PG_swapcache 16
#define PG_mappedtodisk 17
#define PG_reclaim 18
#define PG_swapbacked 19
#define PG_unevictable 20
#define PG_mlocked 21
void SetPageReserved(struct page *page);
void ClearPageReserved(struct page *page);
int PageReserved(struct page *page);
int PageHighMem(struct page *page);
int PageSlab(struct page *page);
int PageLocked(struct page *page);
void lock_page(struct page *page);
void unlock_page(struct page *page);
void get_page(struct page *page);
void put_page(struct page *page);
int page_count(struct page *page);
int page_mapcount(struct page *page);
void *page_address(const struct page *page);
void set_page_dirty(struct page *page);
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn, unsigned long size, pgprot_t prot);
#define io_remap_pfn_range remap_pfn_range
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr, struct page *page);
int vm_insert_pfn(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn);
int vm_insert_mixed(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn);
int zap_vma_ptes(struct vm_area_struct *vma, unsigned long address, unsigned long size);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
pgprot_t vm_get_page_prot(unsigned long vm_flags);
int get_user_pages(struct task_struct *tsk, struct mm_struct *mm, unsigned long start, int nr_pages, int write, int force, struct page **pages, struct vm_area_struct **vmas);
int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len, int write);
int access_remote_vm(struct mm_struct *mm, unsigned long addr, void *buf, int len, int write);
unsigned long vm_mmap(struct file *file, unsigned long addr, unsigned long len, unsigned long prot, unsigned long flag, unsigned long offset);
int vm_munmap(unsigned long start, size_t len);
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define page_private(page) ((page)->private)
#define set_page_private(page, v) ((page)->private = (v))
#endif
`;

H['linux/highmem.h'] = String.raw`
#ifndef _LINUX_HIGHMEM_H
#define _LINUX_HIGHMEM_H
#include <linux/mm.h>
#include <linux/string.h>
#ifdef CONFIG_HIGHMEM
/* asm/highmem.h and fixmap.h; the addresses mirror engine/machine/arch/x86_32.ts (tested). */
#ifdef CONFIG_X86_PAE
#define LAST_PKMAP 512
#define PKMAP_BASE 0xffc00000UL
#else
#define LAST_PKMAP 1024
#define PKMAP_BASE 0xff800000UL
#endif
#define LAST_PKMAP_MASK (LAST_PKMAP - 1)
#define PKMAP_NR(virt) (((virt) - PKMAP_BASE) >> PAGE_SHIFT)
#define PKMAP_ADDR(nr) (PKMAP_BASE + ((nr) << PAGE_SHIFT))
#define FIXADDR_TOP 0xfffff000UL
#define KM_TYPE_NR 20
#define FIX_KMAP_BEGIN 69
#define __fix_to_virt(x) (FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))
#endif
void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_atomic(struct page *page);
void __kunmap_atomic(void *addr);
#define kunmap_atomic(addr) __kunmap_atomic(addr)
void *kmap_high(struct page *page);
void kunmap_high(struct page *page);
void flush_all_zero_pkmaps(void);
static inline void clear_highpage(struct page *page) { void *kaddr = kmap_atomic(page); memset(kaddr, 0, PAGE_SIZE); kunmap_atomic(kaddr); }
#endif
`;

H['linux/fs.h'] = String.raw`
#ifndef _LINUX_FS_H
#define _LINUX_FS_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/kdev_t.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/stat.h>
#include <linux/mm_types.h>
struct file;
struct inode;
struct module;
struct kiocb;
struct iovec;
struct poll_table_struct;
struct file_lock;
struct pipe_inode_info;
struct vfsmount;
struct cdev;
struct super_block;
struct cred;
typedef int (*filldir_t)(void *, const char *, int, loff_t, u64, unsigned);
typedef struct files_struct *fl_owner_t;
struct qstr {
	unsigned int hash;
	unsigned int len;
	const unsigned char *name;
};
struct dentry {
	unsigned int d_flags;
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	unsigned char d_iname[32];
};
struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};
struct inode {
	umode_t i_mode;
	unsigned short i_opflags;
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned int i_flags;
	unsigned long i_ino;
	unsigned int i_nlink;
	dev_t i_rdev;
	loff_t i_size;
	const struct file_operations *i_fop;
	struct super_block *i_sb;
	struct address_space *i_mapping;
	struct list_head i_devices;
	struct cdev *i_cdev;
	void *i_private;
};
struct fown_struct {
	rwlock_t lock;
	void *pid;
	int pid_type;
	uid_t uid, euid;
	int signum;
};
struct file {
	union {
		struct list_head fu_list;
		struct rcu_head fu_rcuhead;
	} f_u;
	struct path f_path;
#define f_dentry f_path.dentry
#define f_vfsmnt f_path.mnt
	const struct file_operations *f_op;
	spinlock_t f_lock;
	int f_sb_list_cpu;
	atomic_long_t f_count;
	unsigned int f_flags;
	fmode_t f_mode;
	loff_t f_pos;
	struct fown_struct f_owner;
	const struct cred *f_cred;
	u64 f_version;
	void *private_data;
	struct address_space *f_mapping;
};
struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *, loff_t, int);
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
	ssize_t (*aio_read)(struct kiocb *, const struct iovec *, unsigned long, loff_t);
	ssize_t (*aio_write)(struct kiocb *, const struct iovec *, unsigned long, loff_t);
	int (*readdir)(struct file *, void *, filldir_t);
	unsigned int (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *, fl_owner_t id);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
	int (*aio_fsync)(struct kiocb *, int datasync);
	int (*fasync)(int, struct file *, int);
	int (*lock)(struct file *, int, struct file_lock *);
	ssize_t (*sendpage)(struct file *, struct page *, int, size_t, loff_t *, int);
	unsigned long (*get_unmapped_area)(struct file *, unsigned long, unsigned long, unsigned long, unsigned long);
	int (*check_flags)(int);
	int (*flock)(struct file *, int, struct file_lock *);
	ssize_t (*splice_write)(struct pipe_inode_info *, struct file *, loff_t *, size_t, unsigned int);
	ssize_t (*splice_read)(struct file *, loff_t *, struct pipe_inode_info *, size_t, unsigned int);
	int (*setlease)(struct file *, long, struct file_lock **);
	long (*fallocate)(struct file *file, int mode, loff_t offset, loff_t len);
};
#define FMODE_READ ((fmode_t)0x1)
#define FMODE_WRITE ((fmode_t)0x2)
#define FMODE_LSEEK ((fmode_t)0x4)
#define FMODE_PREAD ((fmode_t)0x8)
#define FMODE_PWRITE ((fmode_t)0x10)
#define FMODE_EXEC ((fmode_t)0x20)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_SYNC 04010000
#define CHRDEV_MAJOR_HASH_SIZE 255
int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops);
void unregister_chrdev(unsigned int major, const char *name);
int register_chrdev_region(dev_t from, unsigned count, const char *name);
int alloc_chrdev_region(dev_t *dev, unsigned baseminor, unsigned count, const char *name);
void unregister_chrdev_region(dev_t from, unsigned count);
static inline unsigned iminor(const struct inode *inode) { return MINOR(inode->i_rdev); }
static inline unsigned imajor(const struct inode *inode) { return MAJOR(inode->i_rdev); }
static inline struct inode *file_inode(struct file *f) { return f->f_path.dentry->d_inode; }
loff_t no_llseek(struct file *file, loff_t offset, int origin);
loff_t noop_llseek(struct file *file, loff_t offset, int origin);
loff_t default_llseek(struct file *file, loff_t offset, int origin);
loff_t generic_file_llseek(struct file *file, loff_t offset, int origin);
int nonseekable_open(struct inode *inode, struct file *filp);
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from, size_t available);
ssize_t simple_write_to_buffer(void *to, size_t available, loff_t *ppos, const void __user *from, size_t count);
#endif
`;

H['linux/stat.h'] = String.raw`
#ifndef _LINUX_STAT_H
#define _LINUX_STAT_H
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_IRWXU 00700
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRWXG 00070
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IRWXO 00007
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)
#define S_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)
#define S_IALLUGO 0007777
#define S_IRWXUGO (S_IRWXU | S_IRWXG | S_IRWXO)
#endif
`;

H['linux/kdev_t.h'] = String.raw`
#ifndef _LINUX_KDEV_T_H
#define _LINUX_KDEV_T_H
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
#endif
`;

H['linux/cdev.h'] = String.raw`
#ifndef _LINUX_CDEV_H
#define _LINUX_CDEV_H
#include <linux/kobject.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
struct file_operations;
struct inode;
struct module;
struct cdev {
	struct kobject kobj;
	struct module *owner;
	const struct file_operations *ops;
	struct list_head list;
	dev_t dev;
	unsigned int count;
};
void cdev_init(struct cdev *cdev, const struct file_operations *fops);
struct cdev *cdev_alloc(void);
int cdev_add(struct cdev *p, dev_t dev, unsigned count);
void cdev_del(struct cdev *p);
#endif
`;

H['linux/kobject.h'] = String.raw`
#ifndef _LINUX_KOBJECT_H
#define _LINUX_KOBJECT_H
#include <linux/types.h>
#include <linux/list.h>
struct kref { atomic_t refcount; };
struct kobject {
	const char *name;
	struct list_head entry;
	struct kobject *parent;
	void *kset;
	void *ktype;
	void *sd;
	struct kref kref;
	unsigned int state_flags;
};
#endif
`;

H['linux/device.h'] = String.raw`
#ifndef _LINUX_DEVICE_H
#define _LINUX_DEVICE_H
#include <linux/types.h>
#include <linux/kobject.h>
#include <linux/err.h>
struct module;
struct class;
struct device;
struct class *__class_create(struct module *owner, const char *name, void *key);
#define class_create(owner, name) __class_create(owner, name, NULL)
void class_destroy(struct class *cls);
struct device *device_create(struct class *cls, struct device *parent, dev_t devt, void *drvdata, const char *fmt, ...);
void device_destroy(struct class *cls, dev_t devt);
void *dev_get_drvdata(const struct device *dev);
int dev_set_drvdata(struct device *dev, void *data);
#define dev_info(dev, fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) printk(KERN_DEBUG fmt, ##__VA_ARGS__)
#endif
`;

H['linux/miscdevice.h'] = String.raw`
#ifndef _LINUX_MISCDEVICE_H
#define _LINUX_MISCDEVICE_H
#include <linux/list.h>
#include <linux/types.h>
#include <linux/major.h>
#define MISC_DYNAMIC_MINOR 255
struct device;
struct file_operations;
struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const char *nodename;
	umode_t mode;
};
int misc_register(struct miscdevice *misc);
int misc_deregister(struct miscdevice *misc);
#endif
`;

H['linux/major.h'] = String.raw`
#ifndef _LINUX_MAJOR_H
#define _LINUX_MAJOR_H
#define MEM_MAJOR 1
#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5
#define MISC_MAJOR 10
#endif
`;

H['linux/ioctl.h'] = String.raw`
#ifndef _LINUX_IOCTL_H
#define _LINUX_IOCTL_H
#define _IOC_NRBITS 8
#define _IOC_TYPEBITS 8
#define _IOC_SIZEBITS 14
#define _IOC_DIRBITS 2
#define _IOC_NRSHIFT 0
#define _IOC_TYPESHIFT (_IOC_NRSHIFT + _IOC_NRBITS)
#define _IOC_SIZESHIFT (_IOC_TYPESHIFT + _IOC_TYPEBITS)
#define _IOC_DIRSHIFT (_IOC_SIZESHIFT + _IOC_SIZEBITS)
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IOC(dir, type, nr, size) (((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | ((nr) << _IOC_NRSHIFT) | ((size) << _IOC_SIZESHIFT))
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)
#define _IOR(type, nr, size) _IOC(_IOC_READ, (type), (nr), sizeof(size))
#define _IOW(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), sizeof(size))
#define _IOWR(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), sizeof(size))
#define _IOC_DIR(nr) (((nr) >> _IOC_DIRSHIFT) & ((1 << _IOC_DIRBITS) - 1))
#define _IOC_TYPE(nr) (((nr) >> _IOC_TYPESHIFT) & ((1 << _IOC_TYPEBITS) - 1))
#define _IOC_NR(nr) (((nr) >> _IOC_NRSHIFT) & ((1 << _IOC_NRBITS) - 1))
#define _IOC_SIZE(nr) (((nr) >> _IOC_SIZESHIFT) & ((1 << _IOC_SIZEBITS) - 1))
#endif
`;

H['linux/sched.h'] = String.raw`
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/jiffies.h>
#include <linux/cred.h>
#include <asm/uaccess.h>
#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_STOPPED 4
#define TASK_TRACED 8
#define EXIT_ZOMBIE 16
#define EXIT_DEAD 32
#define TASK_DEAD 64
#define TASK_COMM_LEN 16
#define PF_KTHREAD 0x00200000
struct task_struct;
struct thread_info {
	struct task_struct *task;
	void *exec_domain;
	unsigned int flags;
	unsigned int status;
	unsigned int cpu;
	int preempt_count;
	mm_segment_t addr_limit;
	unsigned int sig_on_uaccess_error;
	int uaccess_err;
};
struct task_struct {
	volatile long state;
	void *stack;
	atomic_t usage;
	unsigned int flags;
	int prio, static_prio, normal_prio;
	unsigned int policy;
	struct list_head tasks;
	struct mm_struct *mm, *active_mm;
	int exit_state;
	int exit_code, exit_signal;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct list_head children;
	struct list_head sibling;
	struct task_struct *group_leader;
	const struct cred *real_cred;
	const struct cred *cred;
	char comm[TASK_COMM_LEN];
	void *files;
	unsigned long sas_ss_sp;
	size_t sas_ss_size;
	unsigned long blocked;
	unsigned long pending;
};
struct task_struct *get_current(void);
#define current get_current()
struct thread_info *current_thread_info(void);
void schedule(void);
long schedule_timeout(long timeout);
long schedule_timeout_interruptible(long timeout);
long schedule_timeout_uninterruptible(long timeout);
void set_current_state(long state);
#define __set_current_state(s) set_current_state(s)
int signal_pending(struct task_struct *p);
int fatal_signal_pending(struct task_struct *p);
#define in_interrupt() __kmemlab_in_interrupt()
#define in_softirq() __kmemlab_in_interrupt()
#define in_irq() 0
#define in_atomic() __kmemlab_in_atomic()
int __kmemlab_in_interrupt(void);
int __kmemlab_in_atomic(void);
struct task_struct *find_task_by_vpid(pid_t nr);
void get_task_struct(struct task_struct *t);
void put_task_struct(struct task_struct *t);
struct mm_struct *get_task_mm(struct task_struct *task);
void mmput(struct mm_struct *mm);
int send_sig(int sig, struct task_struct *p, int priv);
#define task_pid_nr(tsk) ((tsk)->pid)
#define task_tgid_nr(tsk) ((tsk)->tgid)
#endif
`;

H['linux/cred.h'] = String.raw`
#ifndef _LINUX_CRED_H
#define _LINUX_CRED_H
#include <linux/types.h>
#include <linux/capability.h>
struct cred {
	atomic_t usage;
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	unsigned securebits;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
	kernel_cap_t cap_bset;
};
#define current_cred() (get_current()->cred)
#define current_uid() (current_cred()->uid)
#define current_gid() (current_cred()->gid)
#define current_euid() (current_cred()->euid)
#define current_fsuid() (current_cred()->fsuid)
#define uid_eq(a, b) ((a) == (b))
#define from_kuid(ns, uid) (uid)
#define GLOBAL_ROOT_UID 0
#endif
`;

H['linux/capability.h'] = String.raw`
#ifndef _LINUX_CAPABILITY_H
#define _LINUX_CAPABILITY_H
typedef struct kernel_cap_struct { unsigned int cap[2]; } kernel_cap_t;
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_KILL 5
#define CAP_SETUID 7
#define CAP_NET_ADMIN 12
#define CAP_IPC_LOCK 14
#define CAP_SYS_MODULE 16
#define CAP_SYS_RAWIO 17
#define CAP_SYS_ADMIN 21
#define CAP_SYS_TTY_CONFIG 26
int capable(int cap);
#endif
`;

H['linux/jiffies.h'] = String.raw`
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H
#include <linux/types.h>
#define HZ 250
extern unsigned long volatile jiffies;
extern u64 jiffies_64;
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
unsigned long msecs_to_jiffies(const unsigned int m);
unsigned long usecs_to_jiffies(const unsigned int u);
unsigned int jiffies_to_msecs(const unsigned long j);
unsigned int jiffies_to_usecs(const unsigned long j);
#endif
`;

H['linux/timer.h'] = String.raw`
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H
#include <linux/list.h>
#include <linux/jiffies.h>
struct tvec_base;
struct timer_list {
	struct list_head entry;
	unsigned long expires;
	struct tvec_base *base;
	void (*function)(unsigned long);
	unsigned long data;
	int slack;
};
void init_timer(struct timer_list *timer);
#define setup_timer(timer, fn, d) __kmemlab_setup_timer((timer), (fn), (d))
void __kmemlab_setup_timer(struct timer_list *timer, void (*function)(unsigned long), unsigned long data);
void add_timer(struct timer_list *timer);
int mod_timer(struct timer_list *timer, unsigned long expires);
int del_timer(struct timer_list *timer);
int del_timer_sync(struct timer_list *timer);
int timer_pending(const struct timer_list *timer);
#define DEFINE_TIMER(_name, _function, _expires, _data) struct timer_list _name = { .function = (_function), .expires = (_expires), .data = (_data) }
#endif
`;

H['linux/delay.h'] = String.raw`
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H
void msleep(unsigned int msecs);
unsigned long msleep_interruptible(unsigned int msecs);
void ssleep(unsigned int seconds);
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);
void ndelay(unsigned long nsecs);
void usleep_range(unsigned long min, unsigned long max);
#endif
`;

H['linux/wait.h'] = String.raw`
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H
#include <linux/list.h>
#include <linux/spinlock.h>
typedef struct __wait_queue_head { spinlock_t lock; struct list_head task_list; } wait_queue_head_t;
void __init_waitqueue_head(wait_queue_head_t *q, const char *name);
#define init_waitqueue_head(q) __init_waitqueue_head((q), #q)
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = { __SPIN_LOCK_UNLOCKED(name.lock), LIST_HEAD_INIT(name.task_list) }
void wake_up(wait_queue_head_t *q);
void wake_up_interruptible(wait_queue_head_t *q);
void wake_up_all(wait_queue_head_t *q);
void __kmemlab_wait_event(wait_queue_head_t *q);
int __kmemlab_wait_event_interruptible(wait_queue_head_t *q);
#define wait_event(wq, condition) do { while (!(condition)) __kmemlab_wait_event(&(wq)); } while (0)
#define wait_event_interruptible(wq, condition) ({ int __ret = 0; while (!(condition)) { __ret = __kmemlab_wait_event_interruptible(&(wq)); if (__ret) break; } __ret; })
#endif
`;

H['linux/interrupt.h'] = '#include <linux/kernel.h>\n#include <linux/sched.h>\n';
H['linux/kthread.h'] = String.raw`
#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H
#include <linux/sched.h>
struct task_struct *kthread_create_on_node(int (*threadfn)(void *data), void *data, int node, const char namefmt[], ...);
#define kthread_create(threadfn, data, namefmt, arg...) kthread_create_on_node(threadfn, data, -1, namefmt, ##arg)
struct task_struct *__kmemlab_kthread_run(int (*threadfn)(void *data), void *data, const char *name);
#define kthread_run(threadfn, data, namefmt, ...) __kmemlab_kthread_run(threadfn, data, namefmt)
int wake_up_process(struct task_struct *tsk);
int kthread_stop(struct task_struct *k);
int kthread_should_stop(void);
#endif
`;
H['linux/signal.h'] = '#include <linux/sched.h>\nint kill_pid(void *pid, int sig, int priv);\n';
H['linux/pagemap.h'] = '#include <linux/mm.h>\n#define page_cache_release(page) put_page(page)\n#define PAGE_CACHE_SIZE PAGE_SIZE\n#define PAGE_CACHE_SHIFT PAGE_SHIFT\n';
H['linux/proc_fs.h'] = '#include <linux/fs.h>\n';
H['linux/seq_file.h'] = '#include <linux/fs.h>\n';
H['linux/poll.h'] = '#include <linux/fs.h>\n';
H['linux/atomic.h'] = String.raw`
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H
#include <linux/types.h>
#define ATOMIC_INIT(i) { (i) }
#define atomic_read(v) (*(volatile int *)&(v)->counter)
#define atomic_set(v, i) (((v)->counter) = (i))
static inline void atomic_add(int i, atomic_t *v) { v->counter += i; }
static inline void atomic_sub(int i, atomic_t *v) { v->counter -= i; }
static inline void atomic_inc(atomic_t *v) { v->counter++; }
static inline void atomic_dec(atomic_t *v) { v->counter--; }
static inline int atomic_inc_return(atomic_t *v) { return ++v->counter; }
static inline int atomic_dec_return(atomic_t *v) { return --v->counter; }
static inline int atomic_dec_and_test(atomic_t *v) { return --v->counter == 0; }
static inline int atomic_inc_and_test(atomic_t *v) { return ++v->counter == 0; }
static inline int atomic_add_return(int i, atomic_t *v) { return v->counter += i; }
static inline int atomic_sub_return(int i, atomic_t *v) { return v->counter -= i; }
static inline int atomic_xchg(atomic_t *v, int n) { int o = v->counter; v->counter = n; return o; }
static inline int atomic_cmpxchg(atomic_t *v, int old, int n) { int o = v->counter; if (o == old) v->counter = n; return o; }
#endif
`;
H['asm/atomic.h'] = '#include <linux/atomic.h>\n';
H['linux/bitops.h'] = String.raw`
#ifndef _LINUX_BITOPS_H
#define _LINUX_BITOPS_H
#include <linux/types.h>
#define BITS_PER_LONG (sizeof(long) * 8)
#define BIT(nr) (1UL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(nr) DIV_ROUND_UP(nr, 8 * sizeof(long))
#define DECLARE_BITMAP(name, bits) unsigned long name[((bits) + BITS_PER_LONG - 1) / BITS_PER_LONG]
static inline void set_bit(int nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void clear_bit(int nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
static inline void change_bit(int nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] ^= BIT_MASK(nr); }
static inline int test_bit(int nr, const volatile unsigned long *addr) { return 1UL & (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)); }
static inline int test_and_set_bit(int nr, volatile unsigned long *addr) { int old = test_bit(nr, addr); set_bit(nr, addr); return old; }
static inline int test_and_clear_bit(int nr, volatile unsigned long *addr) { int old = test_bit(nr, addr); clear_bit(nr, addr); return old; }
#define __set_bit set_bit
#define __clear_bit clear_bit
static inline int fls(int x) { int r = 32; if (!x) return 0; while (!(x & 0x80000000)) { x <<= 1; r--; } return r; }
static inline unsigned long __ffs(unsigned long word) { int num = 0; while (!(word & 1)) { word >>= 1; num++; } return num; }
#endif
`;
/*
 * The console tty as 3.7 has it: a tty_struct per open terminal, reached from the vt layer as
 * vc_cons[fg_console].d->port.tty (the vc_data embeds a tty_port whose `tty` points back), and
 * a tty_driver whose ops->ioctl takes three arguments (the struct file went in 2.6.39).
 * The structures are trimmed to the members a driver plausibly touches; their order is 3.7's.
 */
H['linux/tty_driver.h'] = String.raw`
#ifndef _LINUX_TTY_DRIVER_H
#define _LINUX_TTY_DRIVER_H
#include <linux/types.h>
#include <linux/list.h>
#include <linux/kobject.h>
struct tty_struct;
struct tty_driver;
struct tty_port;
struct file;
struct module;
struct inode;
struct device;
struct tty_operations {
	struct tty_struct *(*lookup)(struct tty_driver *driver, struct inode *inode, int idx);
	int (*install)(struct tty_driver *driver, struct tty_struct *tty);
	void (*remove)(struct tty_driver *driver, struct tty_struct *tty);
	int (*open)(struct tty_struct *tty, struct file *filp);
	void (*close)(struct tty_struct *tty, struct file *filp);
	void (*shutdown)(struct tty_struct *tty);
	void (*cleanup)(struct tty_struct *tty);
	int (*write)(struct tty_struct *tty, const unsigned char *buf, int count);
	int (*put_char)(struct tty_struct *tty, unsigned char ch);
	void (*flush_chars)(struct tty_struct *tty);
	int (*write_room)(struct tty_struct *tty);
	int (*chars_in_buffer)(struct tty_struct *tty);
	int (*ioctl)(struct tty_struct *tty, unsigned int cmd, unsigned long arg);
	long (*compat_ioctl)(struct tty_struct *tty, unsigned int cmd, unsigned long arg);
	void (*throttle)(struct tty_struct *tty);
	void (*unthrottle)(struct tty_struct *tty);
	void (*stop)(struct tty_struct *tty);
	void (*start)(struct tty_struct *tty);
	void (*hangup)(struct tty_struct *tty);
};
struct tty_driver {
	int magic;
	struct kref kref;
	struct module *owner;
	const char *driver_name;
	const char *name;
	int name_base;
	int major;
	int minor_start;
	unsigned int num;
	short type;
	short subtype;
	unsigned long flags;
	struct tty_driver *other;
	struct tty_struct **ttys;
	struct tty_port **ports;
	void *driver_state;
	const struct tty_operations *ops;
	struct list_head tty_drivers;
};
#define TTY_DRIVER_MAGIC 0x5402
#define TTY_DRIVER_INSTALLED 0x0001
#define TTY_DRIVER_RESET_TERMIOS 0x0002
#define TTY_DRIVER_REAL_RAW 0x0004
#define TTY_DRIVER_TYPE_SYSTEM 0x0001
#define TTY_DRIVER_TYPE_CONSOLE 0x0002
#define TTY_DRIVER_TYPE_SERIAL 0x0003
#define TTY_DRIVER_TYPE_PTY 0x0004
#endif
`;

H['linux/tty.h'] = String.raw`
#ifndef _LINUX_TTY_H
#define _LINUX_TTY_H
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/spinlock.h>
#include <linux/tty_driver.h>
#define TTY_MAGIC 0x5401
#define MAX_NR_CONSOLES 63
#define TIOCSCTTY 0x540E
#define TIOCNOTTY 0x5422
#define TIOCGWINSZ 0x5413
struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
	unsigned short ws_xpixel;
	unsigned short ws_ypixel;
};
struct tty_port {
	struct tty_struct *tty;
	struct tty_struct *itty;
	const void *ops;
	spinlock_t lock;
	int blocked_open;
	int count;
	unsigned long flags;
	unsigned char console;
	struct kref kref;
};
struct tty_struct {
	int magic;
	struct kref kref;
	struct device *dev;
	struct tty_driver *driver;
	const struct tty_operations *ops;
	int index;
	void *ldisc;
	char name[64];
	void *pgrp;
	void *session;
	unsigned long flags;
	int count;
	struct winsize winsize;
	struct tty_struct *link;
	void *disc_data;
	void *driver_data;
	struct list_head tty_files;
	struct tty_port *port;
};
#endif
`;

H['linux/workqueue.h'] = String.raw`
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H
#include <linux/types.h>
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	atomic_long_t data;
	struct list_head entry;
	work_func_t func;
};
#endif
`;

/*
 * vc_cons and fg_console are kernel variables; kmemlab links a module only against kernel
 * routines, so each name stands for a routine that returns where the variable lives. Reading,
 * writing and indexing them works as with the real declarations; sizeof(vc_cons) does not.
 */
H['linux/console_struct.h'] = String.raw`
#ifndef _LINUX_CONSOLE_STRUCT_H
#define _LINUX_CONSOLE_STRUCT_H
#include <linux/tty.h>
#include <linux/workqueue.h>
struct consw;
struct vc_data {
	struct tty_port port;
	unsigned short vc_num;
	unsigned int vc_cols;
	unsigned int vc_rows;
	unsigned int vc_size_row;
	unsigned int vc_scan_lines;
	unsigned long vc_origin;
	unsigned long vc_scr_end;
	unsigned long vc_visible_origin;
	unsigned int vc_top, vc_bottom;
	const struct consw *vc_sw;
	unsigned short *vc_screenbuf;
	unsigned int vc_screenbuf_size;
	unsigned char vc_mode;
};
struct vc {
	struct vc_data *d;
	struct work_struct SAK_work;
};
struct vc *__kmemlab_vc_cons(void);
#define vc_cons (__kmemlab_vc_cons())
#endif
`;

H['linux/vt_kern.h'] = String.raw`
#ifndef _LINUX_VT_KERN_H
#define _LINUX_VT_KERN_H
#include <linux/console_struct.h>
#include <linux/kd.h>
int *__kmemlab_fg_console(void);
#define fg_console (*__kmemlab_fg_console())
#endif
`;
H['linux/vt.h'] = '#include <linux/vt_kern.h>\n';
H['linux/kd.h'] = LINUX_KD_H;

/** Headers old drivers include that carry nothing this kernel needs. */
for (const empty of ['linux/config.h', 'linux/autoconf.h', 'linux/kconfig.h', 'asm/system.h']) H[empty] = '';

/** The headers as the preprocessor wants them. */
export const KERNEL_HEADERS: ReadonlyMap<string, string> = new Map(Object.entries(H));

/**
 * Names of Linux routines a driver might call that this kernel does not emulate, so a missing
 * declaration gets an explanation instead of "implicit declaration".
 */
export const UNEMULATED_KERNEL_ROUTINES: ReadonlySet<string> = new Set([
  'ioremap', 'ioremap_nocache', 'iounmap', 'request_irq', 'free_irq', 'request_mem_region', 'release_mem_region', 'dma_alloc_coherent',
  'dma_free_coherent', 'dma_map_single', 'pci_register_driver', 'platform_driver_register', 'usb_register', 'proc_create', 'create_proc_entry',
  'remove_proc_entry', 'debugfs_create_file', 'sysfs_create_file', 'readl', 'writel', 'inb', 'outb', 'request_region', 'release_region',
  'schedule_work', 'queue_work', 'create_workqueue', 'tasklet_init', 'tasklet_schedule', 'wait_for_completion', 'complete', 'init_completion',
  'register_filesystem', 'kobject_create_and_add', 'netif_rx', 'alloc_netdev', 'register_netdev', 'seq_printf', 'single_open',
]);
