import assert from 'node:assert/strict';
import {
  defaultMachine,
  defaultMachines,
  machinesWithOverrides,
  parseMachineOverrides,
  PolicyConfigError,
  POLICY_ARCHES,
} from '../../engine/policy';

describe('default machines', () => {
  it('describes every arch, valid and at multi-user securelevel 1 (NetBSD)', () => {
    const all = defaultMachines();
    assert.deepEqual(Object.keys(all), [...POLICY_ARCHES]);
    for (const arch of POLICY_ARCHES) {
      assert.equal(all[arch].arch, arch);
      if (arch !== 'linux') assert.equal(all[arch].securelevel, 1, arch);
    }
  });

  it('uses each port page size: alpha and sun3 8 KiB, vax 4 KiB logical pages, hp300 4 KiB', () => {
    assert.equal(defaultMachine('alpha').pageSizeBytes, 8192);
    assert.equal(defaultMachine('sun3').pageSizeBytes, 8192);
    assert.equal(defaultMachine('vax').pageSizeBytes, 4096);
    assert.equal(defaultMachine('hp300').pageSizeBytes, 4096);
  });

  it('builds x86 mem_clusters from the BIOS map, page rounded, physmem their page sum', () => {
    const m = defaultMachine('i386');
    assert.deepEqual(m.clusters, [
      { start: 0n, sizeBytes: 0x9f000n },
      { start: 0x100000n, sizeBytes: 0x1fef0000n },
    ]);
    assert.equal(m.physmemPages, 0x9f + 0x1fef0);
  });

  it('keeps alpha PALcode READ and RAM READ|WRITE|EXEC, and counts only RAM in physmem', () => {
    const m = defaultMachine('alpha');
    assert.deepEqual(m.clusters[0].prot, { read: true, write: false, exec: false });
    assert.deepEqual(m.clusters[1].prot, { read: true, write: true, exec: true });
    assert.equal(m.physmemPages, Number(m.clusters[1].sizeBytes / 8192n));
  });

  it('puts hp300 RAM at the top of the address space and rounds sun3 physmem up to 16 pages', () => {
    const hp = defaultMachine('hp300');
    assert.equal(hp.lowram, 0xff000000n);
    assert.equal(hp.clusters[0].start + hp.clusters[0].sizeBytes, 1n << 32n);
    const sun = defaultMachine('sun3');
    assert.equal(sun.availEnd, 0x7fc000n);
    assert.equal(sun.physmemPages, 1024);
  });
});

describe('lab.json machine overrides', () => {
  it('rebuilds a machine for another RAM size and replaces single facts', () => {
    const overrides = parseMachineOverrides({
      amd64: { ramBytes: '4GiB' },
      sun3: { availStart: '0x200000', securelevel: 2 },
      alpha: { clusters: [{ start: 0, sizeBytes: '16MiB', prot: 'rw' }] },
      hp300: { physmemBytes: '8 MiB', lowram: 0xff800000 },
    });
    const machines = machinesWithOverrides(overrides);
    assert.equal(machines.amd64.clusters.length, 3, 'RAM above 4 GiB becomes a third cluster');
    assert.equal(machines.sun3.availStart, 0x200000n);
    assert.equal(machines.sun3.securelevel, 2);
    assert.equal(machines.sun3.availEnd, 0x7fc000n, 'untouched facts keep their defaults');
    assert.deepEqual(machines.alpha.clusters, [{ start: 0n, sizeBytes: 0x1000000n, prot: { read: true, write: true, exec: false } }]);
    assert.equal(machines.hp300.physmemPages, 2048);
    assert.equal(machines.i386.physmemPages, defaultMachine('i386').physmemPages);
  });

  it('refuses what the policies cannot use, naming the place', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ sparc: {} }, /unknown architecture "sparc"/],
      [{ i386: { physmem: 1 } }, /machines\.i386: unknown key "physmem"/],
      [{ i386: { ramBytes: 'lots' } }, /machines\.i386\.ramBytes/],
      [{ alpha: { clusters: [{ start: 0, sizeBytes: 100 }] } }, /whole number of pages/],
      [{ i386: { pageSizeBytes: 3000 } }, /power of two/],
      [{ amd64: { physmemPages: 0x80000000 } }, /int physmem/],
      [{ alpha: { clusters: [{ start: 0, sizeBytes: 8192, prot: 'write' }] } }, /protection/],
      [[], /expected an object/],
    ];
    for (const [json, message] of bad) {
      assert.throws(() => machinesWithOverrides(parseMachineOverrides(json)), (e: unknown) => e instanceof PolicyConfigError && message.test(e.message));
    }
  });
});
