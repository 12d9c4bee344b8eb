/**
 * One request judged by every policy, in the fixed order the views and the
 * CLI show them: the seven 2006 ports, then NetBSD 4, then Linux.
 */
import { ALPHA_RULE, alphaPolicy } from './alpha';
import { AMD64_RULE, amd64Policy } from './amd64';
import { HP300_RULE, hp300Policy } from './hp300';
import { I386_RULE, i386Policy } from './i386';
import { LINUX_RULE, linuxPolicy } from './linux';
import { defaultMachine, MachineSet } from './machines';
import { NETBSD4_RULE, netbsd4Policy } from './netbsd4';
import { POWERPC_RULE, powerpcPolicy } from './powerpc';
import { SUN3_RULE, sun3Policy } from './sun3';
import { Credential, DevMemRequest, MachineDescription, POLICY_ARCHES, PolicyArch, PolicyRule, Verdict } from './types';
import { VAX_RULE, vaxPolicy } from './vax';

export const POLICY_RULES: Readonly<Record<PolicyArch, PolicyRule>> = {
  i386: i386Policy,
  amd64: amd64Policy,
  alpha: alphaPolicy,
  vax: vaxPolicy,
  hp300: hp300Policy,
  powerpc: powerpcPolicy,
  sun3: sun3Policy,
  netbsd4: netbsd4Policy,
  linux: linuxPolicy,
};

/** Each policy's rule in words (the `rule` of its every verdict). */
export const POLICY_RULE_TEXT: Readonly<Record<PolicyArch, string>> = {
  i386: I386_RULE,
  amd64: AMD64_RULE,
  alpha: ALPHA_RULE,
  vax: VAX_RULE,
  hp300: HP300_RULE,
  powerpc: POWERPC_RULE,
  sun3: SUN3_RULE,
  netbsd4: NETBSD4_RULE,
  linux: LINUX_RULE,
};

function machineAt(arch: PolicyArch, machines: Partial<MachineSet> | undefined, securelevel: number | undefined): MachineDescription {
  const m = machines?.[arch] ?? defaultMachine(arch);
  return securelevel === undefined ? m : { ...m, securelevel };
}

/** One policy's verdict; securelevel, when given, replaces the machine's own. */
export function judgeOne(
  arch: PolicyArch,
  req: DevMemRequest,
  cred: Credential,
  machines?: Partial<MachineSet>,
  securelevel?: number,
): Verdict {
  return POLICY_RULES[arch](req, cred, machineAt(arch, machines, securelevel));
}

/** Every policy's verdict on the same request, in POLICY_ARCHES order. */
export function judgeAll(req: DevMemRequest, cred: Credential, machines?: Partial<MachineSet>, securelevel?: number): Verdict[] {
  return POLICY_ARCHES.map((arch) => judgeOne(arch, req, cred, machines, securelevel));
}
