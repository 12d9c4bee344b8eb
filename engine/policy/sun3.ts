/**
 * NetBSD/sun3 mmmmap(DEV_MEM): an offset that is not page aligned is refused,
 * then `off < avail_start || off >= avail_end` refuses. Only the RAM the VM
 * system manages is mappable: not the kernel image and bootstrap pages below
 * avail_start, not the PROM's pages above avail_end, and nothing else. No
 * credential or securelevel check. off stays a 64-bit off_t here (avail_* are
 * 32-bit and are widened), so there is no truncation.
 */
import { hex, toOffT } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const SUN3_RULE =
  'off & PGOFSET refuses an unaligned offset, then off < avail_start || off >= avail_end refuses: ' +
  'only VM-managed RAM can be mapped (not the kernel image, not the PROM pages), by anyone; ' +
  'no credential or securelevel check.';

function judgeSun3Page(offset: bigint, m: MachineDescription): PageJudgement {
  const off = toOffT(offset);
  const pgofset = BigInt(m.pageSizeBytes - 1);
  const availStart = m.availStart ?? 0n;
  const availEnd = m.availEnd ?? 0n;
  if ((off & pgofset) !== 0n) {
    return deny(`off ${hex(off)} & PGOFSET ${hex(pgofset)} = ${hex(off & pgofset)}: not page aligned`, `unaligned offsets are refused outright`);
  }
  if (off < availStart) {
    return deny(
      `off ${hex(off)} < avail_start ${hex(availStart)}: the kernel image and its bootstrap pages`,
      `the kernel image cannot be mapped, even by root`,
    );
  }
  if (off >= availEnd) {
    const edge = off === availEnd ? `off == avail_end: the bound is exclusive` : undefined;
    return deny(`off ${hex(off)} >= avail_end ${hex(availEnd)}: past the RAM the PROM leaves to the kernel`, edge);
  }
  return allow(`avail_start ${hex(availStart)} <= off ${hex(off)} < avail_end ${hex(availEnd)}: managed RAM, no credential check`);
}

export function sun3Policy(req: DevMemRequest, _cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('sun3', SUN3_RULE, req, m, (off) => judgeSun3Page(off, m));
}
