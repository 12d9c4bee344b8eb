/**
 * The fix, as NetBSD 4 shipped it for amd64 (mem.c 1.8 switched it to the x86
 * check_pa_acc) and, in the same spirit, for i386, alpha, vax and powerpc:
 * managed RAM may be mapped by whoever could open /dev/mem; anything else is
 * "unmanaged memory" and needs KAUTH_MACHDEP_UNMANAGEDMEM, which the bsd44
 * secmodel grants only when both its listeners allow: the superuser one
 * (euid 0) and the securelevel one (securelevel <= 0). This is the x86
 * version with a 64-bit paddr_t; it keeps check_pa_acc's inclusive
 * `pa - start <= size`, so the first address past each cluster still counts
 * as managed.
 */
import { describeCluster, findClusterInclusive } from './clusters';
import { hex, toUint64 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const NETBSD4_RULE =
  'check_pa_acc() of NetBSD 4: KAUTH_MACHDEP_UNMANAGEDMEM (euid 0 and securelevel <= 0) admits every address; ' +
  'otherwise only managed RAM, a pa with start <= pa && pa - start <= size for some mem_cluster (still inclusive).';

function unmanagedRefusal(cred: Credential, securelevel: number): string {
  const why: string[] = [];
  if (cred.euid !== 0) why.push(`euid ${cred.euid} is not root`);
  if (securelevel > 0) why.push(`securelevel ${securelevel} > 0`);
  return why.join(' and ');
}

function judgeNetbsd4Page(offset: bigint, cred: Credential, m: MachineDescription): PageJudgement {
  const pa = toUint64(offset);
  if (cred.euid === 0 && m.securelevel <= 0) {
    return allow(`euid 0 at securelevel ${m.securelevel} <= 0 holds KAUTH_MACHDEP_UNMANAGEDMEM: pa ${hex(pa)} allowed without looking at clusters`);
  }
  const hit = findClusterInclusive(m.clusters, pa);
  if (hit === undefined) {
    return deny(`pa ${hex(pa)} is unmanaged (in no mem_cluster) and KAUTH_MACHDEP_UNMANAGEDMEM is denied: ${unmanagedRefusal(cred, m.securelevel)}`);
  }
  const justPast =
    hit.delta === hit.cluster.sizeBytes
      ? `pa - start == size (${hex(hit.delta)}): the <= still admits the first address past ${describeCluster(hit.index, hit.cluster)}`
      : undefined;
  return allow(`pa ${hex(pa)} is managed RAM: ${describeCluster(hit.index, hit.cluster)} (pa - start = ${hex(hit.delta)})`, justPast);
}

export function netbsd4Policy(req: DevMemRequest, cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('netbsd4', NETBSD4_RULE, req, m, (off) => judgeNetbsd4Page(off, cred, m));
}
