/** The /dev/mem mmap policies: per-arch NetBSD rules of August 2006, the NetBSD 4 fix, Linux 3.7. */
export * from './types';
export { POLICY_RULES, POLICY_RULE_TEXT, judgeAll, judgeOne } from './judge';
export { i386Policy, I386_RULE } from './i386';
export { amd64Policy, AMD64_RULE } from './amd64';
export { alphaPolicy, ALPHA_RULE } from './alpha';
export { vaxPolicy, VAX_RULE } from './vax';
export { hp300Policy, HP300_RULE } from './hp300';
export { powerpcPolicy, POWERPC_RULE } from './powerpc';
export { sun3Policy, SUN3_RULE } from './sun3';
export { netbsd4Policy, NETBSD4_RULE } from './netbsd4';
export { linuxPolicy, LINUX_RULE } from './linux';
export { netbsdAllowsWritableOpen } from './netbsdMmap';
export { ctobInt, type CtobResult } from './cint';
export {
  applyMachineOverride,
  defaultMachine,
  defaultMachines,
  machineForRam,
  machinesWithOverrides,
  parseMachineOverride,
  parseMachineOverrides,
  PolicyConfigError,
  validateMachine,
  type MachineOverride,
  type MachineSet,
} from './machines';
export { buildPolicyMatrix, probeCases, MATRIX_EUIDS, MATRIX_PROTS, MATRIX_SECURELEVELS, type MatrixFilter, type MatrixRow, type PolicyMatrix, type ProbeCase } from './matrix';
export { renderMachines, renderMatrix, renderSingle, toJson, type ReportFormat } from './report';
export { policiesCommand, POLICIES_USAGE, type CommandResult, type PoliciesCommandOptions } from './cli';
