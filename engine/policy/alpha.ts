/**
 * NetBSD/alpha mmmmap(DEV_MEM), August 2006: (prot & alpha_pa_access(off))
 * must equal prot. Inside a memory cluster the answer is the protection the
 * kernel stored in the low bits of the cluster's size (PALcode/console
 * clusters READ, RAM READ|WRITE|EXEC, per machdep.c); outside, NONE at
 * securelevel > 0 and READ|WRITE otherwise. The bound is exclusive, and
 * credentials are not consulted.
 */
import { describeCluster } from './clusters';
import { hex, toUint64 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { PROT_NONE, PROT_READ, PROT_WRITE, protBits, protBitsName } from './prot';
import { Credential, DevMemRequest, MachineDescription, MemCluster, Verdict } from './types';

export const ALPHA_RULE =
  '(prot & alpha_pa_access(pa)) == prot: inside a cluster (pa >= start && pa - start < (size & ~PAGE_MASK), exclusive) ' +
  "the cluster's own protection from the low bits of its size; outside every cluster NONE at securelevel > 0, " +
  'READ|WRITE at securelevel <= 0 (never EXEC). Credentials are not consulted.';

/** The cluster's size word as alpha's machdep.c stores it: page-multiple size | protection. */
function clusterSizeWord(c: MemCluster): bigint {
  return c.sizeBytes | BigInt(c.prot === undefined ? PROT_NONE : protBits(c.prot));
}

interface AlphaAccess {
  access: number;
  why: string;
  edge?: string;
}

function alphaPaAccess(pa: bigint, m: MachineDescription): AlphaAccess {
  const pageMask = BigInt(m.pageSizeBytes - 1);
  let pastEnd: string | undefined;
  for (let i = 0; i < m.clusters.length; i++) {
    const c = m.clusters[i];
    if (pa < c.start) continue;
    const word = clusterSizeWord(c);
    const bound = word & ~pageMask;
    if (pa - c.start >= bound) {
      if (pa - c.start === bound) pastEnd = `pa - start == size & ~PAGE_MASK (${hex(bound)}): the exclusive bound leaves pa outside ${describeCluster(i, c)}`;
      continue;
    }
    const access = Number(word & pageMask);
    return { access, why: `pa ${hex(pa)} is inside ${describeCluster(i, c)}, size word ${hex(word)} gives ${protBitsName(access)}` };
  }
  if (m.securelevel > 0) {
    return { access: PROT_NONE, why: `pa ${hex(pa)} is in no cluster and securelevel ${m.securelevel} > 0 gives NONE`, edge: pastEnd };
  }
  return {
    access: PROT_READ | PROT_WRITE,
    why: `pa ${hex(pa)} is in no cluster and securelevel ${m.securelevel} <= 0 gives READ|WRITE`,
    edge: pastEnd,
  };
}

function judgeAlphaPage(offset: bigint, req: DevMemRequest, m: MachineDescription): PageJudgement {
  const pa = toUint64(offset);
  const wanted = protBits(req.prot);
  const { access, why, edge } = alphaPaAccess(pa, m);
  const missing = wanted & ~access;
  if (missing === 0) return allow(`${why}, which covers the requested ${protBitsName(wanted)}`, edge);
  return deny(`${why}, which lacks ${protBitsName(missing)} of the requested ${protBitsName(wanted)}`, edges(edge));
}

export function alphaPolicy(req: DevMemRequest, _cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('alpha', ALPHA_RULE, req, m, (off) => judgeAlphaPage(off, req, m));
}
