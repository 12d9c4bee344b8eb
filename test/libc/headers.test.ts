import assert from 'node:assert/strict';
import { LIBC_HEADERS } from '../../engine/libc/headers';
import { TestMachine } from './machine';

/** Function names declared by prototype in the libc headers. */
function declaredFunctions(): Set<string> {
  const names = new Set<string>();
  for (const text of LIBC_HEADERS.values()) {
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line.startsWith('typedef') || line.startsWith('struct')) continue;
      const m = /\b([A-Za-z_]\w*)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*(__attribute__\(\(\w+\)\))?\s*;\s*$/.exec(line);
      if (m) names.add(m[1]);
    }
  }
  return names;
}

describe('libc headers and routines', () => {
  it('every function a header declares has a routine, and every routine is declared', () => {
    const m = new TestMachine();
    const declared = declaredFunctions();
    const routines = new Set(m.libc.routines.keys());
    assert.deepEqual([...declared].filter((n) => !routines.has(n)).sort(), []);
    assert.deepEqual([...routines].filter((n) => !declared.has(n)).sort(), []);
  });

  it('exports stdin, stdout and stderr as pointer objects in the data area', () => {
    const m = new TestMachine();
    const objs = m.libc.objects;
    assert.deepEqual([...objs.keys()], ['stdin', 'stdout', 'stderr']);
    for (const o of objs.values()) {
      assert.equal(o.sizeBytes, 8);
      const file = m.word(0x601000 + o.offsetInData);
      assert.equal(m.i32(file) >>> 16, 0xfbad, 'the FILE starts with glibc\'s _IO_MAGIC flags');
    }
  });
});
