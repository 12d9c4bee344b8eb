// The pure parts of the views: change marks, formatting, the fault-handler finder, templates,
// typed /dev/mem requests and the address-space picture.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChangeMarks, addressKey } from '../../../extension/model/changeMarks';
import { formatSize, parseAddress } from '../../../extension/model/format';
import { disagree, judgeTyped } from '../../../extension/model/policyJudge';
import { findFaultHandler } from '../../../extension/labs/faultHandler';
import { fillTemplate, moduleNameFor } from '../../../extension/labs/template';
import { buildModel, kernelRegions } from '../../../extension/webview/layoutModel';
import { bandsOf, escapeXml, renderAddressSpaceSvg } from '../../../extension/webview/layoutSvg';
import { X86_64 } from '../../../engine/machine/arch/x86_64';
import { I386 } from '../../../engine/machine/arch/i386';

const ROOT = path.resolve(__dirname, '../../../..');

describe('extension: change marks', () => {
  const marks = new ChangeMarks({
    steps: 10,
    pid: 2,
    vmas: [{ pid: 2, added: ['0x7ffff7ff5000'], removed: ['0x600000'], changed: [] }],
    ptes: [{ pid: 2, added: ['0x7ffff7ff7000'], removed: [], changed: ['0x7ffff7ff5000'] }],
    tlb: { added: ['0x7ffff7ff7000'], removed: [], stale: ['0xffffc90000001000'] },
    frames: [{ owner: 'vmalloc', delta: 1 }],
    devmem: 0,
  });

  it('answers per VMA, per PTE, per table range, per TLB entry and per owner', () => {
    assert.equal(marks.vma(2, '0x00007ffff7ff5000'), 'added');
    assert.equal(marks.vma(3, '0x7ffff7ff5000'), undefined);
    assert.equal(marks.pte(2, '0x7FFFF7FF7000'), 'added');
    assert.equal(marks.pte(2, '0x7ffff7ff5000'), 'changed');
    assert.equal(marks.ptesWithin(2, '0x7ffff7e00000', '0x7ffff8000000'), 'changed');
    assert.equal(marks.ptesWithin(2, '0x0', '0x400000'), undefined);
    assert.equal(marks.tlb('0xffffc90000001000'), 'stale');
    assert.equal(marks.frameDelta('vmalloc'), 1);
    assert.deepEqual(marks.removedVmas.get(2), ['0x600000']);
    assert.ok(marks.taskChanged(2) && !marks.taskChanged(1));
    assert.equal(addressKey('0xFFFF880000000000'), '0xffff880000000000');
  });

  it('marks nothing before the first stop', () => {
    const none = new ChangeMarks(undefined);
    assert.equal(none.vma(1, '0x1000'), undefined);
    assert.equal(none.frameDelta('slab'), 0);
  });
});

describe('extension: formatting', () => {
  it('sizes and addresses', () => {
    assert.equal(formatSize(4096), '4 KiB');
    assert.equal(formatSize(16 * 1024), '16 KiB');
    assert.equal(formatSize(1536), '1.5 KiB');
    assert.equal(formatSize(100), '100 bytes');
    assert.equal(formatSize(1n << 40n), '1 TiB');
    assert.equal(parseAddress(' 0x7FFF_F7FF5000 '), '0x7ffff7ff5000');
    assert.equal(parseAddress('ffff880000000000'), '0xffff880000000000');
    assert.equal(parseAddress('4096'), '0x1000');
    assert.equal(parseAddress('0x1' + '0'.repeat(16)), undefined);
    assert.equal(parseAddress('p + 1'), undefined);
  });
});

describe('extension: the fault handler of a driver', () => {
  it('finds the handler named in vm_operations_struct and the line after its brace', () => {
    const src = fs.readFileSync(path.join(ROOT, 'labs/03-vmalloc-fault/lazy.c'), 'utf8');
    const h = findFaultHandler(src)!;
    assert.equal(h.name, 'lazy_fault');
    assert.equal(src.split('\n')[h.definitionLine - 1].startsWith('static int lazy_fault('), true);
    assert.equal(src.split('\n')[h.bodyLine - 2].trim(), '{');
  });

  it('finds none in a driver without .fault', () => {
    assert.equal(findFaultHandler(fs.readFileSync(path.join(ROOT, 'labs/01-kmalloc-mmap/kbuf.c'), 'utf8')), undefined);
  });

  it('finds the handler in each template', () => {
    const t = fillTemplate(fs.readFileSync(path.join(ROOT, 'media/templates/fault-handler/driver.c'), 'utf8'), { module: 'demo' });
    assert.equal(findFaultHandler(t)?.name, 'demo_fault');
  });
});

describe('extension: lab templates', () => {
  it('names the module after the lab and fills every placeholder of every template', () => {
    assert.equal(moduleNameFor('my-first-lab'), 'my_first_lab');
    assert.equal(moduleNameFor('12-x'), 'x');
    for (const t of fs.readdirSync(path.join(ROOT, 'media/templates'))) {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/templates', t, 'template.json'), 'utf8'));
      for (const f of Object.keys(manifest.files)) {
        const filled = fillTemplate(fs.readFileSync(path.join(ROOT, 'media/templates', t, f), 'utf8'), { name: 'n', module: 'm' });
        assert.ok(!/\{\{\w+\}\}/.test(filled), `${t}/${f} keeps a placeholder`);
      }
    }
  });
});

describe('extension: typed /dev/mem requests', () => {
  it('is judged by all nine policies, and the architectures can disagree', () => {
    const t = judgeTyped(0xa0000n, 4096, 'rw', 0, 0);
    assert.equal(t.verdicts.length, 9);
    assert.deepEqual(t.verdicts.map((v) => v.arch), ['i386', 'amd64', 'alpha', 'vax', 'hp300', 'powerpc', 'sun3', 'netbsd4', 'linux']);
    const anyDisagreement = [0n, 0xa0000n, 0x100000n, 1n << 40n].some((offset) => disagree(judgeTyped(offset, 4096, 'r', 0, 0).verdicts));
    assert.ok(anyDisagreement);
    assert.ok(judgeTyped(0x100000n, 4096, 'r', 1000, 1).verdicts.every((v) => typeof v.reason === 'string' && v.reason.length > 0));
  });
});

describe('extension: the address-space picture', () => {
  const task = {
    pid: 2,
    comm: 'toucher',
    vmas: [
      { start: '0x400000', end: '0x401000', sizeBytes: 4096, perms: 'r-xp', flags: '0x875', flagNames: ['VM_READ', 'VM_EXEC'], pgoff: 0, file: '/toucher', name: '/toucher', vmOps: '', residentPages: 1, vmaAddress: '0xffff880001000000' },
      { start: '0x7ffff7ff5000', end: '0x7ffff7ff9000', sizeBytes: 16384, perms: 'rw-s', flags: '0x40fb', flagNames: ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_DONTEXPAND'], pgoff: 0, file: '/dev/<lazy>', name: '/dev/<lazy>', vmOps: 'lazy_vm_ops', residentPages: 0, vmaAddress: '0xffff880001000100' },
    ],
  };
  const vmalloc = [{ start: '0xffffc90000000000', end: '0xffffc90000005000', sizeBytes: 20480, pages: 4, flags: ['VM_ALLOC'], caller: 'lazy_init+0x1c', kind: 'vmalloc', lazyFree: false, guardPage: '0xffffc90000004000' }];

  it('lays out x86_64 with the split, the direct map and the vmalloc space, VMAs inside user space', () => {
    const m = buildModel({ arch: 'x86_64', ramBytes: 128 << 20, task, vmalloc });
    assert.equal(m.userTop, 0x7ffffffff000n);
    assert.equal(m.kernelBase, 0xffff880000000000n);
    const bands = bandsOf(m.regions);
    assert.equal(bands[bands.length - 1].region.kind, 'user');
    assert.equal(bands[bands.length - 1].children.length, 2);
    assert.equal(bands.find((b) => b.region.kind === 'vmallocspace')!.children.length, 1);
    const direct = m.regions.find((r) => r.kind === 'directmap')!;
    assert.equal(direct.end - direct.start, 128n << 20n);
  });

  it('lays out i386 with lowmem, pkmap and fixmap below 4 GiB', () => {
    const r = kernelRegions(I386, 1024 << 20);
    const direct = r.find((x) => x.kind === 'directmap')!;
    assert.equal(direct.start, 0xc0000000n);
    assert.ok(direct.end - direct.start < 1024n << 20n, 'highmem is not in the direct map');
    assert.ok(r.some((x) => x.kind === 'pkmap'));
    assert.ok(r.every((x) => x.end <= 0x100000000n));
    assert.ok(kernelRegions(X86_64, 64 << 20).some((x) => x.kind === 'modules'));
  });

  it('draws the walk and escapes names', () => {
    const walk = { va: '0x7ffff7ff7000', mm: '0xffff880001234000', steps: [{ level: 'pgd', index: 255, entryPa: '0x1000', raw: '0x0000000002003067', flags: ['present'], present: true, folded: false }, { level: 'pte', index: 503, entryPa: '0x3fb8', raw: '0x0', flags: [], present: false, folded: false }], pfn: undefined, pa: undefined, fault: 'pte entry not present' };
    const svg = renderAddressSpaceSvg(buildModel({ arch: 'x86_64', ramBytes: 64 << 20, task, vmalloc, walk }));
    assert.ok(svg.startsWith('<svg'));
    assert.ok(svg.includes('walk of 0x7ffff7ff7000'));
    assert.ok(svg.includes('pte entry not present'));
    assert.ok(svg.includes('/dev/&lt;lazy&gt;') && !svg.includes('/dev/<lazy>'));
    assert.ok(svg.includes('user/kernel split'));
    assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
  });
});

describe('extension: picture text', () => {
  it('shortens callers and fits labels', async () => {
    const { shortCaller } = await import('../../../extension/webview/layoutModel');
    const { fit } = await import('../../../extension/webview/layoutSvg');
    assert.equal(shortCaller('lazy_init+0x1c (/work/main/labs/03-vmalloc-fault/lazy.c:66)'), 'lazy_init+0x1c (lazy.c:66)');
    assert.equal(shortCaller('load_module'), 'load_module');
    assert.equal(fit('abcdef', 6.7 * 4), 'abc…');
    assert.equal(fit('abc', 100), 'abc');
  });
});
