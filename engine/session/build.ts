/**
 * Compiling a lab's C sources for the chosen arch: drivers against the kernel headers, programs
 * against the C library's, each with the predefined macros gcc would have for that target. The
 * kernel's own structure layouts are derived here from the same headers, once per arch.
 */
import type { ArchSpec } from '../machine/arch/types';
import { X86_64 } from '../machine/arch/x86_64';
import { I386 } from '../machine/arch/i386';
import { I386_PAE } from '../machine/arch/i386pae';
import type { TranslationUnit } from '../lang/ast';
import { compileTranslationUnit } from '../lang/compile';
import { layoutsFromUnit } from '../lang/layouts';
import { ILP32, LP64, TypeSystem } from '../lang/types';
import { KERNEL_HEADERS, UNEMULATED_KERNEL_ROUTINES } from '../kernel/include/linux';
import type { StructLayouts } from '../kernel/layout';
import { LIBC_HEADERS } from '../libc/headers';
import { BadInput, type ArchChoice } from './lab';

export interface SourceFiles {
  /** Text of a file by (posix) path, or undefined when there is none. */
  readFile(path: string): string | undefined;
}

export function archSpec(a: ArchChoice): ArchSpec {
  if (a === 'x86_64') return X86_64;
  if (a === 'i386') return I386;
  if (a === 'i386-pae') return I386_PAE;
  throw new BadInput(`arch ${String(a)} is not one of x86_64, i386, i386-pae`);
}

export function typeSystemFor(arch: ArchSpec): TypeSystem {
  return new TypeSystem(arch.vaBits === 64 ? LP64 : ILP32);
}

function targetDefines(arch: ArchSpec): Record<string, string> {
  const d: Record<string, string> = {
    __linux__: '1', __linux: '1', linux: '1', __unix__: '1', __gnu_linux__: '1', __ELF__: '1', __GNUC__: '4', __GNUC_MINOR__: '7', __GNUC_PATCHLEVEL__: '2',
    __CHAR_BIT__: '8', __ORDER_LITTLE_ENDIAN__: '1234', __ORDER_BIG_ENDIAN__: '4321', __BYTE_ORDER__: '1234', __SIZEOF_INT__: '4', __SIZEOF_SHORT__: '2',
    __SIZEOF_LONG_LONG__: '8', __SIZEOF_DOUBLE__: '8', __SIZEOF_FLOAT__: '4', __kmemlab__: '1',
  };
  if (arch.vaBits === 64) Object.assign(d, { __x86_64__: '1', __x86_64: '1', __amd64__: '1', __LP64__: '1', _LP64: '1', __SIZEOF_LONG__: '8', __SIZEOF_POINTER__: '8', __SIZE_TYPE__: 'unsigned long' });
  else Object.assign(d, { __i386__: '1', __i386: '1', i386: '1', __SIZEOF_LONG__: '4', __SIZEOF_POINTER__: '4', __SIZE_TYPE__: 'unsigned int', __ILP32__: '1' });
  return d;
}

export function kernelDefines(arch: ArchSpec, moduleName: string): Record<string, string> {
  const d = { ...targetDefines(arch), __KERNEL__: '1', MODULE: '1', CONFIG_MMU: '1', KBUILD_MODNAME: JSON.stringify(moduleName), KBUILD_BASENAME: JSON.stringify(moduleName) };
  if (arch.vaBits === 64) Object.assign(d, { CONFIG_X86_64: '1', CONFIG_64BIT: '1', CONFIG_PHYS_ADDR_T_64BIT: '1' });
  else Object.assign(d, { CONFIG_X86_32: '1' });
  if (arch.name === 'i386-pae') Object.assign(d, { CONFIG_X86_PAE: '1', CONFIG_PHYS_ADDR_T_64BIT: '1', CONFIG_HIGHMEM64G: '1', CONFIG_HIGHMEM: '1' });
  if (arch.name === 'i386') Object.assign(d, { CONFIG_HIGHMEM4G: '1', CONFIG_HIGHMEM: '1' });
  return d;
}

export function userDefines(arch: ArchSpec): Record<string, string> {
  return targetDefines(arch);
}

const layoutCache = new Map<string, StructLayouts>();

/** The kernel's structure layouts for an arch, from its own headers. */
export function kernelLayouts(arch: ArchSpec): StructLayouts {
  let l = layoutCache.get(arch.name);
  if (!l) {
    const text = [
      'linux/module.h', 'linux/fs.h', 'linux/mm.h', 'linux/sched.h', 'linux/cdev.h', 'linux/miscdevice.h', 'linux/vmalloc.h', 'linux/timer.h',
      'linux/mutex.h', 'linux/semaphore.h', 'linux/wait.h', 'linux/device.h', 'linux/highmem.h', 'linux/uaccess.h', 'linux/vt_kern.h',
    ].map((h) => `#include <${h}>\n`).join('');
    const tu = compileTranslationUnit('<kernel-layouts>', text, {
      ts: typeSystemFor(arch),
      systemHeaders: KERNEL_HEADERS,
      readFile: () => undefined,
      defines: kernelDefines(arch, 'kernel'),
    });
    l = layoutsFromUnit(tu);
    layoutCache.set(arch.name, l);
  }
  return l;
}

export function moduleNameOf(path: string): string {
  return path.split('/').pop()!.replace(/\.c$/, '').replace(/[^A-Za-z0-9_]/g, '_');
}

export function compileDriver(arch: ArchSpec, path: string, files: SourceFiles): TranslationUnit {
  const text = files.readFile(path);
  if (text === undefined) throw new BadInput(`${path}: no such file`);
  return compileTranslationUnit(path, text, {
    ts: typeSystemFor(arch),
    systemHeaders: KERNEL_HEADERS,
    readFile: (p) => files.readFile(p),
    defines: kernelDefines(arch, moduleNameOf(path)),
    explainUndeclared: (name) => (UNEMULATED_KERNEL_ROUTINES.has(name) ? `'${name}' is a Linux kernel routine that kmemlab does not emulate` : undefined),
  });
}

export function compileProgram(arch: ArchSpec, path: string, files: SourceFiles): TranslationUnit {
  const text = files.readFile(path);
  if (text === undefined) throw new BadInput(`${path}: no such file`);
  return compileTranslationUnit(path, text, {
    ts: typeSystemFor(arch),
    systemHeaders: LIBC_HEADERS,
    readFile: (p) => files.readFile(p),
    defines: userDefines(arch),
  });
}
