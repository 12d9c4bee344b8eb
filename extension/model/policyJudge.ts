/**
 * A /dev/mem mmap request the user types in the mmmmap Policies view, judged in the extension by
 * engine/policy's judgeAll (no session needed). No vscode import.
 */
import { defaultMachines, judgeAll, type DevMemRequest, type Verdict } from '../../engine/policy';
import { protFromBits } from '../../engine/policy/prot';

/** A request the user typed, with the knobs it was judged under. */
export interface TypedRequest {
  offset: bigint;
  lengthBytes: number;
  prot: 'r' | 'rw';
  euid: number;
  /** undefined: each machine's own securelevel. */
  securelevel: number | undefined;
  verdicts: Verdict[];
}

export function judgeTyped(offset: bigint, lengthBytes: number, prot: 'r' | 'rw', euid: number, securelevel: number | undefined): TypedRequest {
  const req: DevMemRequest = { offset, lengthBytes, prot: protFromBits(prot === 'rw' ? 3 : 1) };
  return { offset, lengthBytes, prot, euid, securelevel, verdicts: judgeAll(req, { euid }, defaultMachines(), securelevel) };
}

/** True when some architectures allow what others refuse. */
export function disagree(verdicts: Verdict[]): boolean {
  return verdicts.some((v) => v.allowed) && verdicts.some((v) => !v.allowed);
}
