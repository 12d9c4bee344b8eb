/**
 * libc's private data area in each process (what glibc keeps in its .data/.bss): errno, the
 * stdin/stdout/stderr pointers a program links against, the three standard FILE structures, the
 * strerror texts, and scratch space for bytes libc generates itself (formatted output of an
 * unbuffered stream, a timespec for nanosleep) that a system call must find in user memory.
 */

const PAGE_SIZE = 4096;

export const ERRNO_OFFSET = 0;
/** `FILE *stdin, *stdout, *stderr`, pointer-sized each. */
export const STD_POINTERS_OFFSET = 16;
export const STD_FILES_OFFSET = 64;
/** What freed chunks' fd/bk point to: the head of the (single, emulated) bin list, like main_arena's bins. */
export const ARENA_OFFSET = 768;
export const ARENA_BYTES = 128;
export const TIMESPEC_OFFSET = 896;
/** A struct sigaction for abort's reset of SIGABRT to SIG_DFL. */
export const SIGACTION_OFFSET = 928;
/** strerror's static buffer for "Unknown error N". */
export const UNKNOWN_ERROR_OFFSET = 1088;
export const UNKNOWN_ERROR_BYTES = 64;
export const ERROR_TEXTS_OFFSET = PAGE_SIZE;
export const SCRATCH_OFFSET = 2 * PAGE_SIZE;
export const SCRATCH_BYTES = PAGE_SIZE;

export const LIBC_DATA_BYTES = 3 * PAGE_SIZE;

/** glibc's sizeof(FILE) and offsetof(FILE, _fileno), so a memory view of a FILE looks familiar. */
export function fileStructBytes(ptrBytes: 4 | 8): number {
  return ptrBytes === 8 ? 216 : 148;
}

export function fileFilenoOffset(ptrBytes: 4 | 8): number {
  return ptrBytes === 8 ? 112 : 56;
}

/** glibc mallocs a `struct locked_FILE` for fopen: FILE, its lock and its wide-character data. */
export function lockedFileBytes(ptrBytes: 4 | 8): number {
  return ptrBytes === 8 ? 472 : 352;
}

export function stdPointerOffset(index: 0 | 1 | 2, ptrBytes: 4 | 8): number {
  return STD_POINTERS_OFFSET + index * ptrBytes;
}

export function stdFileOffset(index: 0 | 1 | 2, ptrBytes: 4 | 8): number {
  return STD_FILES_OFFSET + index * fileStructBytes(ptrBytes);
}
