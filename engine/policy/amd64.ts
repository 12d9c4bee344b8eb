/**
 * NetBSD/amd64 mmmmap(DEV_MEM) before mem.c 1.8 (2006-10-30), as the
 * tech-kern post quotes it: only an offset beyond ctob(physmem) needs root.
 * securelevel is not consulted, holes between clusters are not noticed, and
 * ctob() is an int shift that wraps at 2 GiB of RAM.
 */
import { countedRamNote, holeNote } from './clusters';
import { ctobInt, describeCtob, hex, toOffT } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const AMD64_RULE =
  'off > ctob(physmem) && !ISSUSER refuses: any offset up to and including ctob(physmem) is open to everyone, ' +
  'anything above it to root only. securelevel and the memory clusters play no part; ' +
  'ctob(physmem) is an int, so with 2 GiB of RAM or more it wraps.';

function judgeAmd64Page(offset: bigint, cred: Credential, m: MachineDescription): PageJudgement {
  const off = toOffT(offset);
  const ctob = ctobInt(m.physmemPages, m.pageSizeBytes);
  const ctobText = describeCtob(ctob, m.physmemPages);
  const wrapEdge = ctob.wrapped ? `ctob(physmem) overflowed to ${ctob.value}: the bound no longer means "end of RAM"` : undefined;
  if (off > ctob.value) {
    const beyond = edges(ctob.wrapped ? undefined : countedRamNote(m.clusters, off), wrapEdge);
    if (cred.euid === 0) return allow(`off ${hex(off)} > ${ctobText}, but euid 0 passes ISSUSER`, beyond);
    return deny(`off ${hex(off)} > ${ctobText} and euid ${cred.euid} fails ISSUSER`, beyond);
  }
  const atBound = off === ctob.value ? `off == ctob(physmem): the > admits the bound itself, the page after the RAM physmem counts` : undefined;
  return allow(`off ${hex(off)} <= ${ctobText}: no credential check`, edges(atBound, holeNote(m.clusters, off), wrapEdge));
}

export function amd64Policy(req: DevMemRequest, cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('amd64', AMD64_RULE, req, m, (off) => judgeAmd64Page(off, cred, m));
}
