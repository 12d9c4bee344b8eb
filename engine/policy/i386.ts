/**
 * NetBSD/i386 mmmmap(DEV_MEM), August 2006: check_pa_acc(off, prot) as the
 * tech-kern post quotes it. Only securelevel matters: credentials and prot are
 * never looked at, and the cluster bound is inclusive.
 */
import { findClusterInclusive, describeCluster } from './clusters';
import { hex, toUint32 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const I386_RULE =
  'check_pa_acc(): at securelevel <= 0 every address may be mapped; above 0 only a pa with ' +
  'start <= pa && pa - start <= size for some mem_cluster (inclusive bound). ' +
  'Credentials and prot are not consulted; paddr_t is 32 bits, so the offset is truncated.';

function truncationEdge(off: bigint, pa: bigint): string | undefined {
  return off === pa ? undefined : `32-bit paddr_t: offset ${hex(off)} is checked as pa ${hex(pa)}`;
}

function judgeI386Page(off: bigint, m: MachineDescription): PageJudgement {
  const pa = toUint32(off);
  const truncated = truncationEdge(off, pa);
  if (m.securelevel <= 0) {
    return allow(`securelevel ${m.securelevel} <= 0: check_pa_acc() allows pa ${hex(pa)} without looking at clusters`, truncated);
  }
  const hit = findClusterInclusive(m.clusters, pa);
  if (hit === undefined) {
    return deny(
      `securelevel ${m.securelevel} > 0 and pa ${hex(pa)} is in none of the ${m.clusters.length} mem_clusters ` +
        `(start <= pa && pa - start <= size fails for each)`,
      truncated,
    );
  }
  const justPast =
    hit.delta === hit.cluster.sizeBytes
      ? `pa - start == size (${hex(hit.delta)}): the <= admits the first address past ${describeCluster(hit.index, hit.cluster)}`
      : undefined;
  return allow(
    `securelevel ${m.securelevel} > 0, but pa ${hex(pa)} passes ${describeCluster(hit.index, hit.cluster)}: ` +
      `pa - start = ${hex(hit.delta)} <= size ${hex(hit.cluster.sizeBytes)}`,
    edges(justPast, truncated),
  );
}

export function i386Policy(req: DevMemRequest, _cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('i386', I386_RULE, req, m, (off) => judgeI386Page(off, m));
}
