/**
 * NetBSD/hp300 mmmmap(DEV_MEM): `(u_int)off < lowram || (u_int)off >=
 * 0xFFFFFFFC` refuses. hp300 RAM runs from lowram up to the top of the
 * 32-bit address space, so this admits exactly RAM, except that the bound is
 * 4 bytes below the top, not a page: the last page is still mappable from its
 * start. No credential and no securelevel are consulted.
 */
import { hex, toUint32 } from './cint';
import { judgeNetbsdMmap } from './netbsdMmap';
import { allow, deny, edges, PageJudgement } from './pages';
import { Credential, DevMemRequest, MachineDescription, Verdict } from './types';

export const HP300_TOP_EXCLUDED = 0xfffffffcn;
const LAST_PAGE_START = 0xfffff000n;

export const HP300_RULE =
  '(u_int)off < lowram || (u_int)off >= 0xFFFFFFFC refuses: RAM from lowram to the top of the address space, ' +
  'minus its last 4 bytes, is open to everyone, everything else to no one. No credential or securelevel check; ' +
  'the offset is truncated to 32 bits.';

function judgeHp300Page(offset: bigint, m: MachineDescription): PageJudgement {
  const off = toUint32(offset);
  const lowram = toUint32(m.lowram ?? 0n);
  const truncated = off !== offset ? `(u_int)off: offset ${hex(offset)} is checked as ${hex(off)}` : undefined;
  if (off < lowram) return deny(`(u_int)off ${hex(off)} < lowram ${hex(lowram)}: below RAM`, truncated);
  if (off >= HP300_TOP_EXCLUDED) {
    return deny(
      `(u_int)off ${hex(off)} >= 0xfffffffc: the last 4 bytes of the address space are refused`,
      edges(`only the last 4 bytes are excluded, not the last page`, truncated),
    );
  }
  const lastPage = off >= LAST_PAGE_START ? `the last page passes: only its final 4 bytes (from 0xfffffffc) are excluded` : undefined;
  return allow(`lowram ${hex(lowram)} <= (u_int)off ${hex(off)} < 0xfffffffc: in RAM, no credential check`, edges(lastPage, truncated));
}

export function hp300Policy(req: DevMemRequest, _cred: Credential, m: MachineDescription): Verdict {
  return judgeNetbsdMmap('hp300', HP300_RULE, req, m, (off) => judgeHp300Page(off, m));
}
