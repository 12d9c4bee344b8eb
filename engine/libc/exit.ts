/**
 * How a process ends: exit (atexit handlers newest first, then every stream flushed, then
 * exit_group), _exit/_Exit (straight to the kernel, buffers lost), abort (SIGABRT, nothing
 * flushed, as glibc since 2.27), and assert's failure message in glibc's exact words.
 */
import type { LibcProcess } from './process';
import type { DefineRoutine } from './routine';
import { toAddress, type Step } from './usermem';

function* exitProcess(p: LibcProcess, status: number): Step<never> {
  while (p.atexitHandlers.length > 0) {
    const fn = p.atexitHandlers.pop()!;
    yield { kind: 'call', target: fn, args: [], viaName: 'atexit handler' };
  }
  yield* p.stdio.flushAll();
  return yield* exitNow(p, status);
}

function* exitNow(p: LibcProcess, status: number): Step<never> {
  yield* p.syscallRaw('exit_group', [status]);
  // exit_group does not return; if a kernel let it, there is nothing sensible left to run.
  for (;;) yield { kind: 'block', reason: 'exited' };
}

/** glibc's __assert_fail text: "prog: file:line: function: Assertion `expr' failed.\n". */
export function assertionMessage(program: string, file: string, line: number, fn: string | undefined, expr: string): string {
  return `${program}${program ? ': ' : ''}${file}:${line}: ${fn ?? ''}${fn !== undefined ? ': ' : ''}Assertion \`${expr}' failed.\n`;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function defineExit(def: DefineRoutine): void {
  def('exit(status)', (p, a) => exitProcess(p, p.abi.int(a[0])));
  def('_exit(status)', (p, a) => exitNow(p, p.abi.int(a[0])));
  def('_Exit(status)', (p, a) => exitNow(p, p.abi.int(a[0])));
  def('abort()', (p) => p.abort());
  def('atexit(function)', (p, a) => {
    p.atexitHandlers.push(toAddress(a[0]));
    return 0;
  });
  def('__assert_fail(assertion, file, line, function)', function* (p, a) {
    const expr = latin1(yield* p.mem.cstring(toAddress(a[0])));
    const file = latin1(yield* p.mem.cstring(toAddress(a[1])));
    const fnVa = toAddress(a[3]);
    const fn = fnVa === 0 ? undefined : latin1(yield* p.mem.cstring(fnVa));
    const text = assertionMessage(p.programName, file, p.abi.int(a[2]) >>> 0, fn, expr);
    const err = yield* p.stdio.standard(2);
    const bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
    if (err !== undefined) {
      yield* p.stdio.putBytes(err, bytes);
      yield* p.stdio.flush(err);
    } else yield* p.writeFd(2, bytes);
    return yield* p.abort();
  });
}
