/*
 * vuser: two buffers of the same size, one from vmalloc_user and one from plain vmalloc, each
 * behind its own device, both mapped with remap_vmalloc_range. Only one of them may be.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#define VU_SIZE (2 * PAGE_SIZE)

static char *user_buf;   /* vmalloc_user: zeroed, marked VM_USERMAP */
static char *plain_buf;  /* vmalloc: neither */

static int map_buffer(struct vm_area_struct *vma, char *buf, const char *which)
{
	int err;

	if (vma->vm_end - vma->vm_start > VU_SIZE)
		return -EINVAL;
	err = remap_vmalloc_range(vma, buf, vma->vm_pgoff);
	pr_info("vuser: remap_vmalloc_range of the %s buffer returned %d\n", which, err);
	return err;
}

static int user_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return map_buffer(vma, user_buf, "vmalloc_user");
}

static int plain_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return map_buffer(vma, plain_buf, "plain vmalloc");
}

static const struct file_operations user_fops = { .owner = THIS_MODULE, .mmap = user_mmap };
static const struct file_operations plain_fops = { .owner = THIS_MODULE, .mmap = plain_mmap };

static struct miscdevice user_dev = { .minor = MISC_DYNAMIC_MINOR, .name = "vuser", .fops = &user_fops, .mode = 0666 };
static struct miscdevice plain_dev = { .minor = MISC_DYNAMIC_MINOR, .name = "vplain", .fops = &plain_fops, .mode = 0666 };

static int __init vuser_init(void)
{
	struct vm_struct *area;
	int err;

	user_buf = vmalloc_user(VU_SIZE);
	plain_buf = vmalloc(VU_SIZE);
	if (!user_buf || !plain_buf) {
		vfree(user_buf);
		vfree(plain_buf);
		return -ENOMEM;
	}
	strcpy(user_buf, "written by the driver into vmalloc_user memory");
	strcpy(plain_buf, "written by the driver into plain vmalloc memory");
	area = find_vm_area(user_buf);
	pr_info("vuser: vmalloc_user area %p, %lu bytes, flags %#lx\n", area->addr, area->size, area->flags);
	area = find_vm_area(plain_buf);
	pr_info("vuser: vmalloc area %p, %lu bytes, flags %#lx\n", area->addr, area->size, area->flags);
	err = misc_register(&user_dev);
	if (!err)
		err = misc_register(&plain_dev);
	return err;
}

static void __exit vuser_exit(void)
{
	misc_deregister(&plain_dev);
	misc_deregister(&user_dev);
	vfree(plain_buf);
	vfree(user_buf);
}

module_init(vuser_init);
module_exit(vuser_exit);
MODULE_LICENSE("GPL");
