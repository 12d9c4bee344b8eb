/**
 * What lab.json says about /dev/mem: which policy judges an mmap (`devmemPolicy`, an engine/policy
 * arch name; default Linux's own rule), the machine facts each policy is judged with (the policy
 * module's machine for this machine's RAM, changed by `machine` overrides keyed by arch), and the
 * node's permission bits (`devmemMode`).
 *
 * The node is crw-r----- root:kmem on a real system; the BSD tools of 2006 that read /dev/mem
 * (ps, top, dmesg) ran setgid kmem. kmemlab has no groups, so a non-root program opens /dev/mem
 * only when lab.json makes the node readable by others ("devmemMode": "0644"); that stands for
 * "this program is in group kmem".
 */
import {
  applyMachineOverride,
  isPolicyArch,
  parseMachineOverrides,
  POLICY_ARCHES,
  type MachineOverride,
  type MachineSet,
  type PolicyArch,
} from '../../policy';

export interface DevmemConfig {
  policy: PolicyArch;
  machines: MachineSet;
  /** Permission bits of /dev/mem. */
  nodeMode: number;
}

export const DEFAULT_DEVMEM_POLICY: PolicyArch = 'linux';
export const DEFAULT_DEVMEM_MODE = 0o640;

export class DevmemConfigError extends Error {}

/** Every arch's machine with ramBytes of RAM, then lab.json's overrides (an override's ramBytes wins). */
export function machinesForRam(ramBytes: number, overrides: Partial<Record<PolicyArch, MachineOverride>> = {}): MachineSet {
  const entries = POLICY_ARCHES.map((arch) => [arch, applyMachineOverride(arch, { ramBytes: BigInt(ramBytes), ...overrides[arch] })]);
  return Object.fromEntries(entries) as MachineSet;
}

export function defaultDevmemConfig(ramBytes: number): DevmemConfig {
  return { policy: DEFAULT_DEVMEM_POLICY, machines: machinesForRam(ramBytes), nodeMode: DEFAULT_DEVMEM_MODE };
}

function parseMode(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^0?[0-7]{1,3}$/.test(v) ? parseInt(v, 8) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o777) throw new DevmemConfigError(`devmemMode: expected permission bits like "0644", got ${JSON.stringify(v)}`);
  return n;
}

/** Reads devmemPolicy, machine and devmemMode from lab.json's extra fields. */
export function devmemConfigFromLab(extra: Record<string, unknown>, ramBytes: number): DevmemConfig {
  const policy = extra.devmemPolicy ?? DEFAULT_DEVMEM_POLICY;
  if (typeof policy !== 'string' || !isPolicyArch(policy)) {
    throw new DevmemConfigError(`devmemPolicy: ${JSON.stringify(policy)} is not one of ${POLICY_ARCHES.join(', ')}`);
  }
  let machines: MachineSet;
  try {
    machines = machinesForRam(ramBytes, extra.machine === undefined ? {} : parseMachineOverrides(extra.machine));
  } catch (e) {
    throw new DevmemConfigError(`machine: ${(e as Error).message}`);
  }
  const nodeMode = extra.devmemMode === undefined ? DEFAULT_DEVMEM_MODE : parseMode(extra.devmemMode);
  return { policy, machines, nodeMode };
}
