/**
 * The layers stay apart: engine/ never imports vscode or (outside the CLI) Node; the machine
 * knows nothing above it; the kernel knows nothing of the C front end (it calls driver callbacks
 * through the executor); the C front end knows nothing of the kernel; nobody evals text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => (s.startsWith('.') ? path.normalize(path.join(path.dirname(file), s)) : s));
}

function layerOf(p: string): string {
  const parts = p.split(path.sep);
  return parts[0] === 'engine' ? `engine/${parts[1]}` : parts[0];
}

const ALLOWED: Record<string, string[]> = {
  'engine/util': ['engine/util'],
  'engine/uapi': ['engine/uapi'],
  'engine/machine': ['engine/machine', 'engine/util'],
  'engine/exec': ['engine/exec', 'engine/machine', 'engine/util'],
  'engine/format': ['engine/format', 'engine/util'],
  'engine/policy': ['engine/policy', 'engine/util'],
  'engine/lang': ['engine/lang', 'engine/exec', 'engine/machine', 'engine/util'],
  'engine/kernel': ['engine/kernel', 'engine/exec', 'engine/machine', 'engine/util', 'engine/format', 'engine/policy', 'engine/uapi'],
  'engine/libc': ['engine/libc', 'engine/exec', 'engine/machine', 'engine/util', 'engine/format', 'engine/uapi'],
};

describe('layering', () => {
  const files = sources('engine');

  it('keeps each layer to the layers below it', () => {
    const bad: string[] = [];
    for (const f of files) {
      const layer = layerOf(f);
      const allowed = ALLOWED[layer];
      if (!allowed) continue;
      for (const imp of importsOf(f)) {
        if (!imp.startsWith('engine')) continue;
        if (!allowed.includes(layerOf(imp))) bad.push(`${f} imports ${imp}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('never imports vscode, and uses Node only in the CLI', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const imp of importsOf(f)) {
        if (imp === 'vscode') bad.push(`${f} imports vscode`);
        if ((imp.startsWith('node:') || ['fs', 'path', 'child_process', 'os', 'process'].includes(imp)) && !f.startsWith(path.join('engine', 'cli'))) bad.push(`${f} imports ${imp}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('has no eval or new Function', () => {
    const bad: string[] = [];
    for (const dir of ['engine', 'extension']) {
      if (!fs.existsSync(path.join(ROOT, dir))) continue;
      for (const f of sources(dir)) {
        const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
        if (/\beval\s*\(|new\s+Function\s*\(/.test(text)) bad.push(f);
      }
    }
    assert.deepEqual(bad, []);
  });
});
