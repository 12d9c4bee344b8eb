/**
 * Types shared by the /dev/mem mmap policies: one request to map physical
 * memory, the credentials it is made with, the machine it is judged on, and
 * each policy's verdict. Everything is plain data so that the kernel's
 * /dev/mem driver, the CLI and the debugger's policy view can pass it around
 * and print it.
 */

/** The seven architectures compared in the August 2006 tech-kern post. */
export type NetbsdArch = 'i386' | 'amd64' | 'alpha' | 'vax' | 'hp300' | 'powerpc' | 'sun3';

/** Those seven, the NetBSD-4 rule that replaced them, and Linux 3.7 for comparison. */
export type PolicyArch = NetbsdArch | 'netbsd4' | 'linux';

export const NETBSD_2006_ARCHES: readonly NetbsdArch[] = ['i386', 'amd64', 'alpha', 'vax', 'hp300', 'powerpc', 'sun3'];

/** The fixed order every list of verdicts is given in. */
export const POLICY_ARCHES: readonly PolicyArch[] = [...NETBSD_2006_ARCHES, 'netbsd4', 'linux'];

export function isPolicyArch(name: string): name is PolicyArch {
  return (POLICY_ARCHES as readonly string[]).includes(name);
}

export interface Prot {
  read: boolean;
  write: boolean;
  exec?: boolean;
}

/**
 * One mmap of /dev/mem. `offset` is the file offset exactly as the policy's
 * check receives it (NetBSD's mmmmap sees it per page, Linux's mmap_mem as
 * vm_pgoff). It is a 64-bit quantity: NetBSD reads it as a signed off_t (so
 * 2^63 and above are negative, which UVM refuses), Linux as unsigned long.
 */
export interface DevMemRequest {
  offset: bigint;
  lengthBytes: number;
  prot: Prot;
}

export interface Credential {
  euid: number;
}

/** A range of RAM as the kernel records it (x86 mem_clusters, alpha's HWRPB clusters, Linux "System RAM"). */
export interface MemCluster {
  start: bigint;
  sizeBytes: bigint;
  /** alpha only: the protection the kernel keeps in the low bits of the cluster's size. */
  prot?: Prot;
}

/** The facts about one machine that its /dev/mem policy looks at. */
export interface MachineDescription {
  arch: PolicyArch;
  /** What machine this is, in words, so a reader can judge the numbers. */
  model: string;
  pageSizeBytes: number;
  /** The kernel's `int physmem`: RAM in pages of pageSizeBytes. */
  physmemPages: number;
  clusters: MemCluster[];
  /** hp300: the lowest RAM address (RAM runs up to 0xFFFFFFFF). */
  lowram?: bigint;
  /** sun3: first byte after the kernel's bootstrap allocations. */
  availStart?: bigint;
  /** sun3: end of the RAM the PROM leaves to the kernel (memoryAvail). */
  availEnd?: bigint;
  /** kern.securelevel: -1 permanently insecure, 0 insecure, 1 secure, 2 highly secure. Linux has none. */
  securelevel: number;
  /** linux: CONFIG_STRICT_DEVMEM. */
  strictDevmem?: boolean;
}

export interface Verdict {
  arch: PolicyArch;
  allowed: boolean;
  /** The rule, in words, the same for every request. */
  rule: string;
  /** Why this request got this verdict, with the numbers that decided it. */
  reason: string;
  /** The boundary quirk involved, if any. */
  edge?: string;
  /** The error mmap(2) returns when refused. */
  errno?: 'EINVAL' | 'EPERM';
}

export type PolicyRule = (req: DevMemRequest, cred: Credential, m: MachineDescription) => Verdict;
