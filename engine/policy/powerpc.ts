/**
 * NetBSD/powerpc mmmmap(DEV_MEM), August 2006: `atop(off) >= physmem &&
 * !ISSUSER`. Page numbers instead of bytes, so there is no ctob() to
 * overflow and the bound is exclusive; but atop() casts to paddr_t, a 32-bit
 * unsigned long on this port, so the offset loses its upper 32 bits.
 */
import { countedRamNote, holeNote } from './clusters';
import { hex, toUint32 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const POWERPC_RULE =
  'atop(off) >= physmem && !ISSUSER refuses: pages below physmem are open to everyone, the rest to root only ' +
  '(exclusive bound, counted in pages). atop() casts the offset to a 32-bit paddr_t. securelevel plays no part.';

function pageShift(pageSizeBytes: number): bigint {
  return BigInt(Math.log2(pageSizeBytes));
}

function judgePowerpcPage(offset: bigint, cred: Credential, m: MachineDescription): PageJudgement {
  const pa = toUint32(offset);
  const page = pa >> pageShift(m.pageSizeBytes);
  const physmem = BigInt(m.physmemPages);
  const truncated = pa !== offset ? `32-bit paddr_t in atop(): offset ${hex(offset)} is checked as ${hex(pa)}` : undefined;
  const atom = `atop(off) = ${hex(pa)} >> PGSHIFT = ${page}`;
  if (page >= physmem) {
    const atBound = page === physmem ? `atop(off) == physmem: the >= refuses the page at the bound (the amd64 and vax > admit it)` : undefined;
    const beyond = edges(atBound, truncated, countedRamNote(m.clusters, pa));
    if (cred.euid === 0) return allow(`${atom} >= physmem ${physmem}, but euid 0 passes ISSUSER`, beyond);
    return deny(`${atom} >= physmem ${physmem} and euid ${cred.euid} fails ISSUSER`, beyond);
  }
  return allow(`${atom} < physmem ${physmem}: no credential check`, edges(truncated, holeNote(m.clusters, pa)));
}

export function powerpcPolicy(req: DevMemRequest, cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('powerpc', POWERPC_RULE, req, m, (off) => judgePowerpcPage(off, cred, m));
}
