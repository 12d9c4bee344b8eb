import assert from 'node:assert/strict';
import { defaultMachine, policiesCommand } from '../../engine/policy';

function ok(argv: string[]) {
  const r = policiesCommand(argv);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

describe('kmemlab policies', () => {
  describe('the matrix', () => {
    it('prints an aligned text table with the disagreements after it', () => {
      const out = ok(['--securelevel', '1', '--uid', '1000']);
      const lines = out.split('\n');
      const header = lines.find((l) => l.startsWith('offset'))!;
      assert.match(header, /^offset\s+sl\s+uid\s+prot\s+i386\s+amd64\s+alpha\s+vax\s+hp300\s+powerpc\s+sun3\s+netbsd4\s+linux\s+disagree\s+probe$/);
      const rows = lines.filter((l) => /^0x[0-9a-f]+ +-?\d+ +\d+ +rw? /.test(l));
      assert.ok(rows.length > 20);
      const column = header.indexOf('i386');
      for (const row of rows) assert.match(row.slice(column, column + 4), /^(yes |no  )$/, row);
      assert.ok(rows.every((r) => / 1 +1000 +rw? /.test(r)), 'filtered to securelevel 1, uid 1000 (both prots)');
      assert.match(out, /Disagreements among the 2006 ports: \d+/);
      assert.match(out, /\n  i386 +no +securelevel 1 > 0 and pa 0xa0000 is in none of the 2 mem_clusters/);
    });

    it('prints JSON with bigints as 0x strings, rules once, and disagreement row indexes', () => {
      const doc = JSON.parse(ok(['--format', 'json', '--securelevel', '0', '--uid', '0']));
      assert.deepEqual(doc.arches, ['i386', 'amd64', 'alpha', 'vax', 'hp300', 'powerpc', 'sun3', 'netbsd4', 'linux']);
      assert.equal(typeof doc.rules.sun3, 'string');
      assert.equal(doc.probes[0].offset, '0x0');
      const row = doc.rows.find((r: { offset: string }) => r.offset === '0xfffffffc');
      assert.equal(row.securelevel, 0);
      assert.equal(row.verdicts.length, 9);
      assert.equal(row.verdicts[4].arch, 'hp300');
      assert.equal(row.verdicts[4].allowed, false);
      assert.equal(row.verdicts[4].rule, undefined);
      for (const i of doc.disagreementRows) assert.equal(doc.rows[i].disagreement, true);
    });

    it('prints Markdown tables', () => {
      const out = ok(['--format', 'markdown', '--uid', '1000', '--securelevel', '2', '--prot', 'rw']);
      assert.match(out, /^# \/dev\/mem mmap policies/);
      assert.match(out, /\n\| offset \| sl \| uid \| prot \| i386 \| amd64 \|/);
      assert.match(out, /\n\|---\|---\|/);
      assert.match(out, /\n## Disagreements among the 2006 ports \(\d+\)/);
    });

    it('is deterministic', () => {
      assert.equal(ok([]), ok([]));
    });
  });

  describe('--describe', () => {
    it('gives each machine in JSON: physmem bytes, clusters with protections, lowram, avail range', () => {
      const doc = JSON.parse(ok(['--describe', '--format', 'json']));
      const by = Object.fromEntries(doc.machines.map((m: { arch: string }) => [m.arch, m]));
      assert.equal(doc.machines.length, 9);
      assert.equal(by.i386.physmemBytes, '0x1ff8f000');
      assert.deepEqual(by.i386.clusters[0], { start: '0x0', end: '0x9f000', sizeBytes: '0x9f000' });
      assert.equal(by.alpha.clusters[0].prot, 'r');
      assert.equal(by.alpha.clusters[1].prot, 'rwx');
      assert.equal(by.hp300.lowram, '0xff000000');
      assert.equal(by.sun3.availStart, '0x180000');
      assert.equal(by.sun3.availEnd, '0x7fc000');
      assert.equal(by.amd64.ctobOverflows, false);
      assert.equal(by.linux.strictDevmem, true);
    });

    it('narrows to one arch, and shows lab.json machines', () => {
      const m = { ...defaultMachine('amd64'), physmemPages: 786432 };
      const r = policiesCommand(['--describe', '--arch', 'amd64', '--format', 'json'], { machines: { amd64: m } });
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.machines.length, 1);
      assert.equal(doc.machines[0].ctobPhysmem, '-0x40000000');
      assert.equal(doc.machines[0].ctobOverflows, true);
      assert.match(ok(['--describe']), /^i386 +PC with 512 MiB/);
    });
  });

  describe('one request', () => {
    it('judges it per arch in JSON: verdict, rule, reason', () => {
      const doc = JSON.parse(ok(['--offset', '0x9f000', '--prot', 'rw', '--uid', '1000', '--securelevel', '1', '--format', 'json']));
      assert.deepEqual(doc.request, { offset: '0x9f000', lengthBytes: 1, prot: 'rw' });
      assert.equal(doc.securelevel, 1);
      assert.equal(doc.verdicts.length, 9);
      const i386 = doc.verdicts[0];
      assert.equal(i386.arch, 'i386');
      assert.equal(i386.allowed, true);
      assert.match(i386.rule, /check_pa_acc/);
      assert.match(i386.reason, /pa - start = 0x9f000 <= size 0x9f000/);
      assert.match(i386.edge, /<=/);
    });

    it('accepts 64-bit hex and decimal offsets and one --arch', () => {
      const doc = JSON.parse(ok(['--offset', '0xffffffffffffffff', '--arch', 'linux', '--format', 'json']));
      assert.equal(doc.request.offset, '0xffffffffffffffff');
      assert.deepEqual(doc.verdicts.map((v: { arch: string }) => v.arch), ['linux']);
      const dec = JSON.parse(ok(['--offset=655360', '--arch=i386', '--format=json']));
      assert.equal(dec.request.offset, '0xa0000');
    });

    it('prints a text table with the rules', () => {
      const out = ok(['--offset', '0x80000000', '--uid', '1000', '--securelevel', '-1']);
      assert.match(out, /^request: offset 0x80000000, length 1, prot r, euid 1000, securelevel -1\n/);
      assert.match(out, /\namd64 +no +EINVAL +off 0x80000000 > ctob\(physmem\)/);
      assert.match(out, /\nrules:\n {2}i386 +check_pa_acc/);
    });
  });

  describe('bad flags', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /unknown flag '--bogus'/],
      [['extra'], /unexpected argument 'extra'/],
      [['--format', 'xml'], /--format must be text, json or markdown/],
      [['--format'], /--format needs a value/],
      [['--securelevel', 'high'], /--securelevel must be an integer/],
      [['--uid', '-3'], /--uid must be an integer/],
      [['--offset', '0x1g'], /--offset must be a 64-bit unsigned integer/],
      [['--offset', '0x10000000000000000'], /--offset must be a 64-bit/],
      [['--offset', '0', '--prot', 'w'], /--prot must be r, rw, rx or rwx/],
      [['--prot', 'rwx'], /--prot must be r or rw/],
      [['--offset', '0', '--arch', 'sparc'], /--arch must be one of/],
      [['--arch', 'i386'], /--arch does not apply to the matrix/],
      [['--describe', '--offset', '0'], /cannot be combined/],
      [['--describe', '--uid', '0'], /--uid does not apply to --describe/],
      [['--uid', '0', '--uid', '1'], /--uid given twice/],
      [['--offset', '0', '--length', '0'], /--length must be a positive integer/],
    ];
    for (const [argv, message] of cases) {
      it(`${argv.join(' ')} -> exit 2`, () => {
        const r = policiesCommand(argv);
        assert.equal(r.exitCode, 2);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, message);
        assert.match(r.stderr, /^kmemlab policies: [^\n]*\n$/, 'one line');
      });
    }

    it('--help prints the usage and exits 0', () => {
      const r = policiesCommand(['--help']);
      assert.equal(r.exitCode, 0);
      assert.match(r.stdout, /^usage: kmemlab policies/);
    });
  });
});
