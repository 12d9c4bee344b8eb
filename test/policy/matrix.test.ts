import assert from 'node:assert/strict';
import { buildPolicyMatrix, defaultMachines, MATRIX_EUIDS, MATRIX_PROTS, MATRIX_SECURELEVELS, probeCases } from '../../engine/policy';

describe('the policy matrix', () => {
  const machines = defaultMachines();
  const matrix = buildPolicyMatrix(machines);

  it('probes every machine boundary once, in ascending order', () => {
    const probes = probeCases(machines);
    const offsets = probes.map((p) => p.offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)));
    assert.equal(new Set(offsets).size, offsets.length);
    const labelOf = (o: bigint) => probes.find((p) => p.offset === o)?.labels.join('; ') ?? '';
    assert.match(labelOf(0x9f000n), /cluster 0 end \[i386, amd64, netbsd4\]/);
    assert.match(labelOf(0xa0000n), /cluster 0 end\+1 page/);
    assert.match(labelOf(0xcf000n), /hole 0x9f000-0x100000/);
    assert.match(labelOf(0x7ff8f000n), /physmem bytes \[amd64, netbsd4\]/);
    assert.match(labelOf(0x180000n), /avail start \[sun3\]/);
    assert.match(labelOf(0xff000000n), /lowram \[hp300\]/);
    assert.match(labelOf(0x80000000n), /2 GiB/);
    assert.match(labelOf(0xfffffffcn), /4 GiB - 4/);
  });

  it('asks every probe under every securelevel, credential and protection', () => {
    const per = MATRIX_SECURELEVELS.length * MATRIX_EUIDS.length * MATRIX_PROTS.length;
    assert.equal(per, 16);
    assert.equal(matrix.rows.length, matrix.probes.length * per);
    for (const row of matrix.rows) assert.equal(row.verdicts.length, 9);
  });

  it('lists as disagreements exactly the rows where the 2006 ports differ', () => {
    for (const row of matrix.rows) {
      const answers = new Set(row.verdicts.slice(0, 7).map((v) => v.allowed));
      assert.equal(row.disagreement, answers.size > 1);
    }
    assert.deepEqual(matrix.disagreements, matrix.rows.filter((r) => r.disagreement));
    assert.ok(matrix.disagreements.length > 0);
  });

  it('shows the i386 <= edge against amd64 and hp300 at the end of base memory', () => {
    const row = matrix.rows.find((r) => r.probe.offset === 0xa0000n && r.securelevel === 1 && r.euid === 1000 && !r.prot.write)!;
    const allowed = Object.fromEntries(row.verdicts.map((v) => [v.arch, v.allowed]));
    assert.deepEqual(allowed, { i386: false, amd64: true, alpha: true, vax: true, hp300: false, powerpc: true, sun3: false, netbsd4: false, linux: false });
  });

  it('filters to one securelevel, uid and protection', () => {
    const small = buildPolicyMatrix(machines, { securelevels: [2], euids: [1000], prots: [{ read: true, write: false }] });
    assert.equal(small.rows.length, small.probes.length);
    assert.ok(small.rows.every((r) => r.securelevel === 2 && r.euid === 1000 && !r.prot.write));
  });

  it('is deterministic', () => {
    assert.deepEqual(buildPolicyMatrix(defaultMachines()), matrix);
  });
});
