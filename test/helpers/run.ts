/** Runs C sources held in memory through the real session, as `kmemlab run` would. */
import { labFromFiles, type LabSpec } from '../../engine/session/lab';
import { Session, type RunResult } from '../../engine/session/session';

export interface Sources {
  drivers?: Record<string, string>;
  programs?: Record<string, string>;
  maxSteps?: number;
  ramMiB?: number;
  /** Adjusts the lab before it runs (checks, params, uids...). */
  tweak?: (lab: LabSpec) => void;
}

export function makeSession(src: Sources): Session {
  const files = new Map<string, string>();
  for (const [name, text] of Object.entries(src.drivers ?? {})) files.set(`t/${name}`, text);
  for (const [name, text] of Object.entries(src.programs ?? {})) files.set(`t/${name}`, text);
  const paths = [...files.keys()];
  const lab = labFromFiles(paths, paths.map((p) => files.get(p)!));
  if (src.maxSteps) lab.maxSteps = src.maxSteps;
  if (src.ramMiB) lab.ramMiB = src.ramMiB;
  src.tweak?.(lab);
  return new Session(lab, { readFile: (p) => files.get(p) });
}

export function run(src: Sources): RunResult {
  return makeSession(src).runToEnd();
}

export function dmesgText(r: RunResult): string {
  return r.dmesg.map((d) => d.text).join('\n');
}

/** A driver skeleton: a misc device `name` with the given file_operations body and extra code. */
export function miscDriver(name: string, code: string, fops: string, init = '', exit = ''): string {
  return `
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/miscdevice.h>
${code}
static const struct file_operations ${name}_fops = { .owner = THIS_MODULE, ${fops} };
static struct miscdevice ${name}_dev = { .minor = MISC_DYNAMIC_MINOR, .name = "${name}", .fops = &${name}_fops, .mode = 0666 };
static int __init ${name}_init(void) { ${init} return misc_register(&${name}_dev); }
static void __exit ${name}_exit(void) { misc_deregister(&${name}_dev); ${exit} }
module_init(${name}_init);
module_exit(${name}_exit);
MODULE_LICENSE("GPL");
`;
}

export const USER_PRELUDE = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
`;
