/**
 * Every policy's verdict pinned at every boundary of its default machine
 * (cluster start, end-1, end, end+1 page, holes, physmem bytes) and at
 * 2 GiB and 4 GiB-4, for securelevel -1/0/1/2 x euid 0/1000 x prot R/RW.
 * The expectation for each boundary is written as who may map it.
 */
import assert from 'node:assert/strict';
import { defaultMachines, judgeOne, PolicyArch, POLICY_ARCHES, POLICY_RULE_TEXT } from '../../engine/policy';

interface Case {
  sl: number;
  euid: number;
  write: boolean;
}
type Who = (c: Case) => boolean;

const EVERYONE: Who = () => true;
const NO_ONE: Who = () => false;
const ROOT: Who = (c) => c.euid === 0;
const INSECURE: Who = (c) => c.sl <= 0;
const ROOT_WHEN_INSECURE: Who = (c) => c.euid === 0 && c.sl <= 0;
const READ_ONLY: Who = (c) => !c.write;

interface Pin {
  what: string;
  offset: bigint;
  who: Who;
  /** A word the verdict's edge must contain, at securelevel 1 for euid 1000 reading. */
  edge?: string;
}

const GiB = 1n << 30n;

const PINS: Record<PolicyArch, Pin[]> = {
  // PC, 512 MiB: mem_clusters [0, 0x9f000) [0x100000, 0x1fff0000); physmem 0x1ff8f000 bytes.
  i386: [
    { what: 'cluster 0 start', offset: 0x0n, who: EVERYONE },
    { what: 'cluster 0 end-1', offset: 0x9efffn, who: EVERYONE },
    { what: 'cluster 0 end: pa - start <= size admits it', offset: 0x9f000n, who: EVERYONE, edge: '<=' },
    { what: 'cluster 0 end+1 page', offset: 0xa0000n, who: INSECURE },
    { what: 'hole', offset: 0xcf000n, who: INSECURE },
    { what: 'cluster 1 start', offset: 0x100000n, who: EVERYONE },
    { what: 'cluster 1 end-1', offset: 0x1ffeffffn, who: EVERYONE },
    { what: 'cluster 1 end', offset: 0x1fff0000n, who: EVERYONE, edge: '<=' },
    { what: 'cluster 1 end+1 page', offset: 0x1fff1000n, who: INSECURE },
    { what: 'physmem bytes', offset: 0x1ff8f000n, who: EVERYONE },
    { what: '2 GiB', offset: 2n * GiB, who: INSECURE },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: INSECURE },
  ],
  // PC, 2 GiB: [0, 0x9f000) [0x100000, 0x7fff0000); ctob(physmem) 0x7ff8f000 (no overflow).
  amd64: [
    { what: 'cluster 0 start', offset: 0x0n, who: EVERYONE },
    { what: 'cluster 0 end-1', offset: 0x9efffn, who: EVERYONE },
    { what: 'cluster 0 end', offset: 0x9f000n, who: EVERYONE },
    { what: 'cluster 0 end+1 page (hole ignored)', offset: 0xa0000n, who: EVERYONE, edge: 'holes ignored' },
    { what: 'hole', offset: 0xcf000n, who: EVERYONE, edge: 'holes ignored' },
    { what: 'cluster 1 start', offset: 0x100000n, who: EVERYONE },
    { what: 'physmem bytes: off == ctob passes', offset: 0x7ff8f000n, who: EVERYONE, edge: 'off == ctob(physmem)' },
    { what: 'physmem bytes + 1 page', offset: 0x7ff90000n, who: ROOT },
    { what: 'cluster 1 end-1: RAM above ctob(physmem)', offset: 0x7ffeffffn, who: ROOT, edge: 'physmem counts pages' },
    { what: 'cluster 1 end', offset: 0x7fff0000n, who: ROOT },
    { what: 'cluster 1 end+1 page', offset: 0x7fff1000n, who: ROOT },
    { what: '2 GiB', offset: 2n * GiB, who: ROOT },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: ROOT },
  ],
  // AlphaStation, 256 MiB, 8 KiB pages: [0, 0x180000) READ (PALcode), [0x180000, 0x10000000) READ|WRITE|EXEC.
  alpha: [
    { what: 'cluster 0 (PALcode) start', offset: 0x0n, who: READ_ONLY },
    { what: 'cluster 0 end-1', offset: 0x17ffffn, who: READ_ONLY },
    { what: 'cluster 0 end = cluster 1 start', offset: 0x180000n, who: EVERYONE },
    { what: 'cluster 0 end+1 page', offset: 0x182000n, who: EVERYONE },
    { what: 'physmem bytes', offset: 0xfe80000n, who: EVERYONE },
    { what: 'cluster 1 end-1', offset: 0xfffffffn, who: EVERYONE },
    { what: 'cluster 1 end: exclusive bound', offset: 0x10000000n, who: INSECURE, edge: 'exclusive' },
    { what: 'cluster 1 end+1 page', offset: 0x10002000n, who: INSECURE },
    { what: '2 GiB', offset: 2n * GiB, who: INSECURE },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: INSECURE },
  ],
  // VAXstation, 32 MiB: ctob(physmem) 0x2000000.
  vax: [
    { what: 'cluster 0 start', offset: 0x0n, who: EVERYONE },
    { what: 'cluster 0 end-1', offset: 0x1ffffffn, who: EVERYONE },
    { what: 'cluster 0 end = physmem bytes: > admits it', offset: 0x2000000n, who: EVERYONE, edge: 'off == ctob(physmem)' },
    { what: 'cluster 0 end+1 page', offset: 0x2001000n, who: ROOT },
    { what: '2 GiB', offset: 2n * GiB, who: ROOT },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: ROOT },
  ],
  // HP 9000/425t, 16 MiB: RAM [0xff000000, 4 GiB), lowram 0xff000000.
  hp300: [
    { what: 'lowram - 1', offset: 0xfeffffffn, who: NO_ONE },
    { what: 'cluster 0 start = lowram', offset: 0xff000000n, who: EVERYONE },
    { what: 'last page start', offset: 4n * GiB - 4096n, who: EVERYONE, edge: 'last page' },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: NO_ONE, edge: 'last 4 bytes' },
    { what: 'cluster 0 end-1', offset: 4n * GiB - 1n, who: NO_ONE },
    { what: 'cluster 0 end (truncates to 0)', offset: 4n * GiB, who: NO_ONE, edge: '(u_int)off' },
    { what: 'cluster 0 end+1 page', offset: 4n * GiB + 4096n, who: NO_ONE },
    { what: 'physmem bytes', offset: 0x1000000n, who: NO_ONE },
    { what: '2 GiB', offset: 2n * GiB, who: NO_ONE },
  ],
  // Power Mac G4, 512 MiB: physmem 131072 pages.
  powerpc: [
    { what: 'cluster 0 start', offset: 0x0n, who: EVERYONE },
    { what: 'cluster 0 end-1', offset: 0x1fffffffn, who: EVERYONE },
    { what: 'cluster 0 end = physmem bytes: >= refuses it', offset: 0x20000000n, who: ROOT, edge: '>=' },
    { what: 'cluster 0 end+1 page', offset: 0x20001000n, who: ROOT },
    { what: '2 GiB', offset: 2n * GiB, who: ROOT },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: ROOT },
  ],
  // Sun 3/60, 8 MiB, 8 KiB pages: avail [0x180000, 0x7fc000).
  sun3: [
    { what: 'cluster 0 start (kernel image)', offset: 0x0n, who: NO_ONE, edge: 'kernel image' },
    { what: 'avail_start - 1 page', offset: 0x17e000n, who: NO_ONE },
    { what: 'avail_start', offset: 0x180000n, who: EVERYONE },
    { what: 'last avail page', offset: 0x7fa000n, who: EVERYONE },
    { what: 'avail_end-1 (unaligned)', offset: 0x7fbfffn, who: NO_ONE, edge: 'unaligned' },
    { what: 'avail_end', offset: 0x7fc000n, who: NO_ONE, edge: 'exclusive' },
    { what: 'avail_end+1 page', offset: 0x7fe000n, who: NO_ONE },
    { what: 'cluster 0 end-1', offset: 0x7fffffn, who: NO_ONE },
    { what: 'cluster 0 end = physmem bytes', offset: 0x800000n, who: NO_ONE },
    { what: 'cluster 0 end+1 page', offset: 0x802000n, who: NO_ONE },
    { what: '2 GiB', offset: 2n * GiB, who: NO_ONE },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: NO_ONE },
  ],
  // The amd64 PC under the NetBSD 4 rule.
  netbsd4: [
    { what: 'cluster 0 start', offset: 0x0n, who: EVERYONE },
    { what: 'cluster 0 end-1', offset: 0x9efffn, who: EVERYONE },
    { what: 'cluster 0 end: still <=', offset: 0x9f000n, who: EVERYONE, edge: '<=' },
    { what: 'cluster 0 end+1 page', offset: 0xa0000n, who: ROOT_WHEN_INSECURE },
    { what: 'hole', offset: 0xcf000n, who: ROOT_WHEN_INSECURE },
    { what: 'cluster 1 start', offset: 0x100000n, who: EVERYONE },
    { what: 'physmem bytes', offset: 0x7ff8f000n, who: EVERYONE },
    { what: 'cluster 1 end-1', offset: 0x7ffeffffn, who: EVERYONE },
    { what: 'cluster 1 end', offset: 0x7fff0000n, who: EVERYONE, edge: '<=' },
    { what: 'cluster 1 end+1 page', offset: 0x7fff1000n, who: ROOT_WHEN_INSECURE },
    { what: '2 GiB', offset: 2n * GiB, who: ROOT_WHEN_INSECURE },
    { what: '4 GiB-4', offset: 4n * GiB - 4n, who: ROOT_WHEN_INSECURE },
  ],
  // The same PC under Linux: System RAM [0x1000, 0x9fc00) [0x100000, 0x7fff0000).
  linux: [
    { what: 'page 0', offset: 0x0n, who: ROOT },
    { what: 'cluster 0 start: RAM, but the first MiB', offset: 0x1000n, who: ROOT },
    { what: 'cluster 0 end-1 (unaligned)', offset: 0x9fbffn, who: NO_ONE },
    { what: 'cluster 0 end (unaligned)', offset: 0x9fc00n, who: NO_ONE },
    { what: 'cluster 0 end, next page', offset: 0xa0000n, who: ROOT },
    { what: 'hole', offset: 0xcf000n, who: ROOT },
    { what: 'cluster 1 start: RAM', offset: 0x100000n, who: NO_ONE },
    { what: 'physmem bytes: RAM', offset: 0x7ff8e000n, who: NO_ONE },
    { what: 'last RAM page', offset: 0x7ffef000n, who: NO_ONE },
    { what: 'cluster 1 end: not RAM', offset: 0x7fff0000n, who: ROOT },
    { what: 'cluster 1 end+1 page', offset: 0x7fff1000n, who: ROOT },
    { what: '2 GiB', offset: 2n * GiB, who: ROOT },
    { what: '4 GiB-4 (unaligned)', offset: 4n * GiB - 4n, who: NO_ONE },
  ],
};

const CASES: Case[] = [-1, 0, 1, 2].flatMap((sl) => [0, 1000].flatMap((euid) => [false, true].map((write) => ({ sl, euid, write }))));

function caseName(c: Case): string {
  return `securelevel ${c.sl}, euid ${c.euid}, ${c.write ? 'RW' : 'R'}`;
}

describe('policy verdicts at every boundary of the default machines', () => {
  const machines = defaultMachines();

  for (const arch of POLICY_ARCHES) {
    describe(arch, () => {
      for (const pin of PINS[arch]) {
        it(`${pin.what} (0x${pin.offset.toString(16)})`, () => {
          for (const c of CASES) {
            const req = { offset: pin.offset, lengthBytes: 1, prot: { read: true, write: c.write } };
            const v = judgeOne(arch, req, { euid: c.euid }, machines, c.sl);
            assert.equal(v.arch, arch);
            assert.equal(v.rule, POLICY_RULE_TEXT[arch]);
            assert.equal(v.allowed, pin.who(c), `${caseName(c)}: ${v.reason}`);
            assert.ok(v.reason.length > 0);
            assert.equal(v.errno === undefined, v.allowed, `errno is given exactly when refused (${caseName(c)})`);
          }
          if (pin.edge !== undefined) {
            const v = judgeOne(arch, { offset: pin.offset, lengthBytes: 1, prot: { read: true, write: false } }, { euid: 1000 }, machines, 1);
            assert.ok(v.edge?.includes(pin.edge), `edge should mention '${pin.edge}', got: ${v.edge}`);
          }
        });
      }
    });
  }
});
