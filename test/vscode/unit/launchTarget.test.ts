// F5 without launch.json: which lab or files a folder, lab.json or .c file becomes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeFiles } from '../../../extension/nodeFiles';
import { enclosingLab, launchTargetFor } from '../../../extension/config/launchTarget';

const ROOT = path.resolve(__dirname, '../../../..');
const LAB = path.join(ROOT, 'labs', '03-vmalloc-fault');
const DRIVER = '#include <linux/module.h>\nstatic int __init d_init(void) { return 0; }\nmodule_init(d_init);\n';
const PROGRAM = 'int main(void)\n{\n\treturn 0;\n}\n';

function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-target-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('F5 launch targets', () => {
  it('a lab folder, its lab.json and a .c file in it all launch the lab', async () => {
    for (const p of [LAB, path.join(LAB, 'lab.json'), path.join(LAB, 'lazy.c'), path.join(LAB, 'toucher.c')]) {
      const t = await launchTargetFor(nodeFiles, p, path.join(ROOT, 'labs'));
      assert.deepEqual(t, { lab: LAB, title: 'lab 03-vmalloc-fault' }, p);
    }
  });

  it('finds the lab of a .c file in a subfolder of the lab, but not above the workspace root', async () => {
    const dir = scratch({ 'lab.json': '{}', 'src/user.c': PROGRAM });
    assert.equal(await enclosingLab(nodeFiles, path.join(dir, 'src'), dir), dir);
    assert.equal(await enclosingLab(nodeFiles, path.join(dir, 'src'), path.join(dir, 'src')), undefined);
  });

  it('outside a lab, a program gets the drivers of its folder, and a driver the programs', async () => {
    const dir = scratch({ 'a_drv.c': DRIVER, 'b_drv.c': DRIVER, 'one.c': PROGRAM, 'two.c': PROGRAM });
    assert.deepEqual(await launchTargetFor(nodeFiles, path.join(dir, 'two.c')), {
      drivers: [path.join(dir, 'a_drv.c'), path.join(dir, 'b_drv.c')],
      programs: [path.join(dir, 'two.c')],
      title: 'a_drv.c + b_drv.c + two.c',
    });
    assert.deepEqual(await launchTargetFor(nodeFiles, path.join(dir, 'b_drv.c')), {
      drivers: [path.join(dir, 'b_drv.c')],
      programs: [path.join(dir, 'one.c'), path.join(dir, 'two.c')],
      title: 'b_drv.c + one.c + two.c',
    });
  });

  it('a folder of loose .c files runs them all; a folder without C and a .h file run nothing', async () => {
    const dir = scratch({ 'x.c': DRIVER, 'y.c': PROGRAM, 'empty/readme.txt': 'hi', 'z.h': '' });
    assert.deepEqual(await launchTargetFor(nodeFiles, dir), { drivers: [path.join(dir, 'x.c')], programs: [path.join(dir, 'y.c')], title: 'x.c + y.c' });
    assert.equal(await launchTargetFor(nodeFiles, path.join(dir, 'empty')), undefined);
    assert.equal(await launchTargetFor(nodeFiles, path.join(dir, 'z.h')), undefined);
  });
});
