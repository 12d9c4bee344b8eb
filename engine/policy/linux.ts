/**
 * Linux 3.7 /dev/mem mmap on x86, for comparison. Read from the 3.6.5 and
 * 3.8.13 trees, which agree on every function used here:
 *  - drivers/char/mem.c: open_mem is open_port, `capable(CAP_SYS_RAWIO) ?
 *    0 : -EPERM` (modelled as euid 0). mmap_mem: valid_mmap_phys_addr_range()
 *    is the generic `return 1` (x86 does not define
 *    ARCH_HAS_VALID_PHYS_ADDR_RANGE), private_mapping_ok() is 1 with an MMU,
 *    then range_is_allowed(vm_pgoff, size) walks the mapping pfn by pfn and
 *    returns -EPERM at the first page devmem_is_allowed() refuses; without
 *    CONFIG_STRICT_DEVMEM it is `return 1`. phys_mem_access_prot_allowed()
 *    (arch/x86/mm/pat.c) repeats the same walk when PAT is on and otherwise
 *    only picks a cache mode.
 *  - arch/x86/mm/init.c devmem_is_allowed(pagenr): pagenr < 256 -> 1 (the
 *    first MiB: BIOS and VGA areas X and dosemu need); iomem_is_exclusive ->
 *    0; !page_is_ram(pagenr) -> 1; otherwise 0.
 *  - kernel/resource.c page_is_ram(): the pfn lies wholly inside an iomem
 *    "System RAM" resource (walk_system_ram_range rounds the resource's start
 *    up and its end down to pages).
 *  - arch/x86/kernel/sys_x86_64.c sys_mmap: `off & ~PAGE_MASK` -> -EINVAL.
 * Not modelled: IORESOURCE_EXCLUSIVE regions (machine descriptions carry
 * none). securelevel does not exist on Linux and the requested prot does not
 * matter once the descriptor is open (root can open it read-write).
 */
import { hex, toUint64 } from './cint';
import { allow, deny, judgeEachPage, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, MemCluster, Verdict } from './types';

const LINUX_PAGE_SIZE = 4096n;
const FIRST_MEGABYTE_PFNS = 256n;

export const LINUX_RULE =
  'open(/dev/mem) needs CAP_SYS_RAWIO (root); mmap(2) needs a page-aligned offset; with CONFIG_STRICT_DEVMEM ' +
  'every page must pass devmem_is_allowed(): the first 1 MiB always, RAM ("System RAM" in /proc/iomem) never, ' +
  'anything else (MMIO, reserved, holes) always. securelevel does not exist; prot is not consulted.';

/** page_is_ram(): the page lies wholly in one "System RAM" range. */
function pageIsRam(pfn: bigint, ram: readonly MemCluster[]): boolean {
  return ram.some((r) => {
    const firstPfn = (r.start + LINUX_PAGE_SIZE - 1n) / LINUX_PAGE_SIZE;
    const endPfn = (r.start + r.sizeBytes) / LINUX_PAGE_SIZE;
    return pfn >= firstPfn && pfn < endPfn;
  });
}

function judgeLinuxPage(offset: bigint, m: MachineDescription): PageJudgement {
  const pfn = toUint64(offset) / LINUX_PAGE_SIZE;
  const isRam = pageIsRam(pfn, m.clusters);
  if (pfn < FIRST_MEGABYTE_PFNS) {
    const edge = isRam ? `the first MiB is allowed even where it is RAM` : undefined;
    return allow(`devmem_is_allowed(pfn ${hex(pfn)}): pfn < 256, inside the first MiB`, edge);
  }
  if (isRam) return deny(`devmem_is_allowed(pfn ${hex(pfn)}): page_is_ram, System RAM is refused`, undefined, 'EPERM');
  return allow(`devmem_is_allowed(pfn ${hex(pfn)}): not System RAM (MMIO, reserved or a hole), allowed`);
}

export function linuxPolicy(req: DevMemRequest, cred: Credential, m: MachineDescription): Verdict {
  const refuse = (reason: string, errno: Verdict['errno']): Verdict => ({ arch: 'linux', allowed: false, rule: LINUX_RULE, reason, errno });
  if (cred.euid !== 0) return refuse(`open_mem(): euid ${cred.euid} lacks CAP_SYS_RAWIO, open(2) fails with EPERM`, 'EPERM');
  const off = toUint64(req.offset);
  if (off % LINUX_PAGE_SIZE !== 0n) return refuse(`mmap(2): offset ${hex(off)} is not page aligned (EINVAL)`, 'EINVAL');
  if (m.strictDevmem === false) {
    return { arch: 'linux', allowed: true, rule: LINUX_RULE, reason: `euid 0 holds CAP_SYS_RAWIO and CONFIG_STRICT_DEVMEM is off: any offset` };
  }
  return judgeEachPage('linux', LINUX_RULE, req, { ...m, pageSizeBytes: Number(LINUX_PAGE_SIZE) }, (o) => judgeLinuxPage(o, m));
}
