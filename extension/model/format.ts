/** Text for sizes, addresses and flags as the views show them. No vscode import. */

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 4096 → '4 KiB', 1536 → '1.5 KiB', 100 → '100 bytes'. */
export function formatSize(sizeBytes: number | bigint): string {
  let v = Number(sizeBytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text} ${UNITS[u]}`;
}

export function hexOf(n: number | bigint, width = 0): string {
  return '0x' + BigInt.asUintN(64, BigInt(n)).toString(16).padStart(width, '0');
}

/** Page count in words: 1 page, 3 pages. */
export function pages(count: number): string {
  return `${count} page${count === 1 ? '' : 's'}`;
}

/** The flags a reader learns from, without the always-there VM_MAY* noise. */
export function interestingVmFlags(names: string[]): string[] {
  return names.filter((n) => !/^VM_MAY/.test(n));
}

/** Parses an address the user typed: hex with or without 0x, or decimal; undefined if not one. */
export function parseAddress(text: string): string | undefined {
  const t = text.trim().replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t)) return addressOf(BigInt(t));
  if (/^[0-9]+$/.test(t)) return addressOf(BigInt(t));
  if (/^[0-9a-f]+$/i.test(t)) return addressOf(BigInt('0x' + t));
  return undefined;
}

function addressOf(v: bigint): string | undefined {
  if (v >= 1n << 64n) return undefined;
  return '0x' + v.toString(16);
}

/** 'toucher[3]' */
export function taskName(comm: string, pid: number): string {
  return `${comm}[${pid}]`;
}
