/**
 * NetBSD/vax mmmmap(DEV_MEM), August 2006: the amd64 test on a 32-bit
 * machine, `(u_int)off > ctob(physmem) && !ISSUSER`. The offset loses its
 * upper 32 bits, and the int ctob(physmem) is compared as unsigned.
 * PGSHIFT is 12 here: NetBSD/vax uses 4 KiB logical pages made of eight
 * 512-byte hardware pages (VAX_PGSHIFT 9), and physmem counts the 4 KiB ones.
 */
import { countedRamNote, holeNote } from './clusters';
import { ctobInt, describeCtob, hex, toUint32 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const VAX_RULE =
  '(u_int)off > ctob(physmem) && !ISSUSER refuses: offsets up to and including ctob(physmem) are open to everyone, ' +
  'higher ones to root only. The offset is truncated to 32 bits and ctob(physmem), an int, is compared as unsigned. ' +
  'securelevel plays no part.';

/** The int overflow of ctob(physmem) matters on vax only past 4 GiB: below that the u_int comparison undoes it. */
function vaxWrapEdge(wrapped: boolean, asInt: bigint, asUint: bigint, trueBytes: bigint): string | undefined {
  if (!wrapped) return undefined;
  if (asUint === trueBytes) return `ctob(physmem) overflowed to int ${asInt}, but compared as u_int it is ${hex(asUint)} again`;
  return `ctob(physmem) wrapped past 4 GiB: compared as u_int it is only ${hex(asUint)}`;
}

function judgeVaxPage(offset: bigint, cred: Credential, m: MachineDescription): PageJudgement {
  const off = toUint32(offset);
  const ctob = ctobInt(m.physmemPages, m.pageSizeBytes);
  const bound = toUint32(ctob.value);
  const ctobText = describeCtob(ctob, m.physmemPages) + (bound !== ctob.value ? ` = ${hex(bound)} as u_int` : '');
  const truncated = off !== offset ? `(u_int)off: offset ${hex(offset)} is checked as ${hex(off)}` : undefined;
  const wrapEdge = vaxWrapEdge(ctob.wrapped, ctob.value, bound, ctob.trueBytes);
  if (off > bound) {
    const beyond = edges(truncated, bound === ctob.trueBytes ? countedRamNote(m.clusters, off) : undefined, wrapEdge);
    if (cred.euid === 0) return allow(`(u_int)off ${hex(off)} > ${ctobText}, but euid 0 passes ISSUSER`, beyond);
    return deny(`(u_int)off ${hex(off)} > ${ctobText} and euid ${cred.euid} fails ISSUSER`, beyond);
  }
  const atBound = off === bound ? `off == ctob(physmem): the > admits the bound itself, the page after the RAM physmem counts` : undefined;
  return allow(`(u_int)off ${hex(off)} <= ${ctobText}: no credential check`, edges(atBound, truncated, holeNote(m.clusters, off), wrapEdge));
}

export function vaxPolicy(req: DevMemRequest, cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('vax', VAX_RULE, req, m, (off) => judgeVaxPage(off, cred, m));
}
