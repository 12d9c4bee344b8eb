/**
 * `expectOutput`: a program's stdout under kmemlab must equal the expected text, and — where the
 * host has gcc — gcc's output must equal it too, so the expectation itself is checked against a
 * real compiler rather than written from memory.
 */
import assert from 'node:assert/strict';
import { gccOutput, runProgram } from './cprog';

export function expectOutput(src: string, expected: string): void {
  const native = gccOutput(src);
  if (native !== undefined) assert.equal(native, expected, 'gcc disagrees with the expected output');
  const r = runProgram(src);
  assert.equal(r.stdout, expected);
  assert.equal(r.exitCode, 0, `exit status ${r.exitCode} (${r.signal})`);
}

/** The program wrapped with the headers every test program uses. */
export function program(body: string): string {
  return `#include <stdio.h>\n#include <stdint.h>\n#include <string.h>\n#include <stddef.h>\n#include <stdlib.h>\n${body}`;
}
