/**
 * What NetBSD does around every port's mmmmap: sys_mmap/uvm_mmap hand the
 * request to udv_attach, which refuses a negative offset outright and then
 * calls mmmmap once per page, failing the mmap (EINVAL) at the first -1.
 *
 * Opening /dev/mem for writing is refused at securelevel >= 1 (NetBSD 4 asks
 * kauth KAUTH_DEVICE_RAWIO_SPEC, whose bsd44 listener allows writes to
 * mem/kmem only below securelevel 1), and a shared writable mapping needs a
 * descriptor open for writing. The verdicts stay mmmmap's own (that is what
 * the 2006 post compares); the reason says when open(2) would already have
 * stopped a writable request.
 */
import { hex, toOffT } from './cint';
import { judgeEachPage, PageJudgement } from './pages';
import { DevMemRequest, MachineDescription, NetbsdArch, Verdict } from './types';

export function netbsdAllowsWritableOpen(securelevel: number): boolean {
  return securelevel < 1;
}

function noteWritableOpen(v: Verdict, req: DevMemRequest, m: MachineDescription): Verdict {
  if (!req.prot.write || netbsdAllowsWritableOpen(m.securelevel)) return v;
  const note = ` (mmmmap's answer; at securelevel ${m.securelevel} >= 1 open(2) of /dev/mem for writing already fails with EPERM, so a shared writable mapping cannot be asked for)`;
  return { ...v, reason: v.reason + note };
}

export function judgeNetbsdMmap(
  arch: NetbsdArch | 'netbsd4',
  rule: string,
  req: DevMemRequest,
  m: MachineDescription,
  judgePage: (offset: bigint) => PageJudgement,
): Verdict {
  const off = toOffT(req.offset);
  if (off < 0n) {
    return { arch, allowed: false, rule, reason: `udv_attach(): off_t offset ${hex(off)} is negative, refused before mmmmap is asked`, errno: 'EINVAL' };
  }
  return noteWritableOpen(judgeEachPage(arch, rule, req, m, judgePage), req, m);
}
