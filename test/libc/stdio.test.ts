import assert from 'node:assert/strict';
import { BRK_START, DATA_VA, SIGSEGV, TestMachine } from './machine';

const stdoutPtr = (m: TestMachine) => m.word(DATA_VA + m.libc.objects.get('stdout')!.offsetInData);
const stderrPtr = (m: TestMachine) => m.word(DATA_VA + m.libc.objects.get('stderr')!.offsetInData);

describe('libc stdio: buffering', () => {
  it('stdout is line buffered: output up to the last newline is written, the rest waits', () => {
    const m = new TestMachine();
    m.v('printf', [m.str('one\ntwo')]);
    assert.deepEqual(m.writeCalls, [{ fd: 1, bytes: 'one\n' }]);
    m.v('printf', [m.str(' three\n')]);
    assert.deepEqual(m.writeCalls.map((c) => c.bytes), ['one\n', 'two three\n']);
    m.v('putchar', [0x78]);
    assert.equal(m.writeCalls.length, 2);
    assert.equal(m.v('fflush', [stdoutPtr(m)]), 0);
    assert.equal(m.output(1), 'one\ntwo three\nx');
  });

  it('the stdout buffer is a 1024-byte malloc chunk, as a terminal gets from glibc', () => {
    const m = new TestMachine();
    m.v('printf', [m.str('x')]);
    assert.equal(m.v('malloc', [16]), BRK_START + 0x2a0 + 0x410);
  });

  it('stderr is unbuffered: each call is one write', () => {
    const m = new TestMachine();
    m.v('fprintf', [stderrPtr(m), m.str('%s=%d'), m.str('x'), 5]);
    m.v('fputs', [m.str('!'), stderrPtr(m)]);
    assert.deepEqual(m.writeCalls, [{ fd: 2, bytes: 'x=5' }, { fd: 2, bytes: '!' }]);
  });

  it('a long line is written in buffer-sized pieces before its newline', () => {
    const m = new TestMachine();
    m.v('printf', [m.str('%s\n'), m.str('a'.repeat(2500))]);
    assert.deepEqual(m.writeCalls.map((c) => c.bytes.length), [1024, 1024, 453]);
  });

  it('exit runs atexit handlers newest first, then flushes; _exit loses buffered output', () => {
    const m = new TestMachine();
    const order: string[] = [];
    const h1 = m.cFunction('h1', () => void order.push('h1'));
    const h2 = m.cFunction('h2', () => void order.push('h2'));
    m.v('atexit', [h1]);
    m.v('atexit', [h2]);
    m.v('printf', [m.str('pending')]);
    const r = m.call('exit', [3]);
    assert.equal(r.exitStatus, 3);
    assert.deepEqual(order, ['h2', 'h1']);
    assert.equal(m.output(1), 'pending');

    const m2 = new TestMachine();
    m2.v('printf', [m2.str('lost')]);
    assert.equal(m2.call('_exit', [1]).exitStatus, 1);
    assert.equal(m2.output(1), '');
  });

  it('setvbuf: unbuffered stdout writes at once; a program buffer is used in place', () => {
    const m = new TestMachine();
    assert.equal(m.v('setvbuf', [stdoutPtr(m), 0, 2, 0]), 0);
    m.v('printf', [m.str('a')]);
    m.v('printf', [m.str('b')]);
    assert.deepEqual(m.writeCalls.map((c) => c.bytes), ['a', 'b']);
    const buf = m.reserve(64);
    assert.equal(m.v('setvbuf', [stdoutPtr(m), buf, 0, 64]), 0);
    m.v('printf', [m.str('held\n')]);
    assert.equal(m.writeCalls.length, 2, 'fully buffered now');
    assert.equal(String.fromCharCode(...m.peek(buf, 5)), 'held\n');
    assert.equal(m.v('setvbuf', [stdoutPtr(m), 0, 7, 0]), -1);
  });
});

describe('libc stdio: formatting', () => {
  it('sprintf, snprintf and %n', () => {
    const m = new TestMachine();
    const buf = m.reserve(32);
    const n = m.reserve(4, 4);
    assert.equal(m.v('sprintf', [buf, m.str('%d-%s%n!'), 12, m.str('ab'), n]), 6);
    assert.equal(m.cstr(buf), '12-ab!');
    assert.equal(m.i32(n), 5);
    assert.equal(m.v('snprintf', [buf, 4, m.str('%s'), m.str('abcdef')]), 6);
    assert.equal(m.cstr(buf), 'abc');
    m.poke(buf, [0x7a]);
    assert.equal(m.v('snprintf', [buf, 0, m.str('%s'), m.str('abcdef')]), 6);
    assert.equal(m.peek(buf, 1)[0], 0x7a, 'size 0 writes nothing');
  });

  it('vprintf reads a va_list of 8-byte slots, doubles as their bits', () => {
    const m = new TestMachine();
    const ap = m.vaList([{ v: 7 }, { v: 2.5, double: true }, { v: m.str('str') }, { v: -1 }]);
    assert.equal(m.v('vprintf', [m.str('%d %.2f %s %u\n'), ap]), 22);
    assert.equal(m.output(1), '7 2.50 str 4294967295\n');
    const buf = m.reserve(32);
    const ap2 = m.vaList([{ v: 1n << 40n }]);
    m.v('vsnprintf', [buf, 32, m.str('%ld'), ap2]);
    assert.equal(m.cstr(buf), '1099511627776');
  });

  it('%m prints strerror(errno); a format error returns -1 with EINVAL', () => {
    const m = new TestMachine();
    m.poke(DATA_VA, [2, 0, 0, 0]);
    m.v('printf', [m.str('%m\n')]);
    assert.equal(m.output(1), 'No such file or directory\n');
    assert.equal(m.v('printf', [m.str('bad %')]), -1);
    assert.equal(m.i32(DATA_VA), 22);
  });

  it('puts, fputs and putchar return what glibc returns', () => {
    const m = new TestMachine();
    assert.equal(m.v('puts', [m.str('abc')]), 4);
    assert.equal(m.v('fputs', [m.str('x'), stdoutPtr(m)]), 1);
    assert.equal(m.v('putchar', [0x141]), 0x41);
    m.v('fflush', [0]);
    assert.equal(m.output(1), 'abc\nxA');
  });

  it('perror writes "prefix: text" to stderr', () => {
    const m = new TestMachine();
    m.poke(DATA_VA, [13, 0, 0, 0]);
    m.v('perror', [m.str('open')]);
    m.v('perror', [0]);
    assert.equal(m.output(2), 'open: Permission denied\nPermission denied\n');
  });
});

describe('libc stdio: input', () => {
  it('getchar, ungetc and fgets read stdin through a buffer; stdout is flushed first', () => {
    const m = new TestMachine();
    m.stdin = new TextEncoder().encode('ab\nsecond line\nlast');
    m.v('printf', [m.str('prompt: ')]);
    const stdinPtr = m.word(DATA_VA + m.libc.objects.get('stdin')!.offsetInData);
    assert.equal(m.v('getchar'), 0x61);
    assert.equal(m.output(1), 'prompt: ');
    assert.equal(m.v('ungetc', [0x5a, stdinPtr]), 0x5a);
    const buf = m.reserve(64);
    assert.equal(m.v('fgets', [buf, 64, stdinPtr]), buf);
    assert.equal(m.cstr(buf), 'Zb\n');
    assert.equal(m.v('fgets', [buf, 5, stdinPtr]), buf);
    assert.equal(m.cstr(buf), 'seco');
    m.v('fgets', [buf, 64, stdinPtr]);
    assert.equal(m.v('fgets', [buf, 64, stdinPtr]), buf);
    assert.equal(m.cstr(buf), 'last');
    assert.equal(m.v('fgets', [buf, 64, stdinPtr]), 0);
    assert.equal(m.v('feof', [stdinPtr]), 1);
    assert.equal(m.v('getchar'), -1);
  });

  it('scanf reads from stdin and leaves the rest for the next read', () => {
    const m = new TestMachine();
    m.stdin = new TextEncoder().encode('  42 abc\nz');
    const n = m.reserve(4, 4);
    const s = m.reserve(16);
    assert.equal(m.v('scanf', [m.str('%d %s'), n, s]), 2);
    assert.equal(m.i32(n), 42);
    assert.equal(m.cstr(s), 'abc');
    assert.equal(m.v('getchar'), 0x0a);
    assert.equal(m.v('getchar'), 0x7a);
    assert.equal(m.v('scanf', [m.str('%d'), n]), -1);
  });
});

describe('libc stdio: files', () => {
  it('fopen, fwrite, fseek, ftell, fread, fclose', () => {
    const m = new TestMachine();
    const f = Number(m.v('fopen', [m.str('/tmp/f'), m.str('w+')]));
    assert.notEqual(f, 0);
    const data = m.str('hello, file');
    assert.equal(m.v('fwrite', [data, 1, 11, f]), 11);
    assert.deepEqual(m.files.get('/tmp/f'), [], 'fully buffered: nothing written yet');
    assert.equal(m.v('ftell', [f]), 11);
    assert.equal(m.v('fseek', [f, 7, 0]), 0);
    const buf = m.reserve(16);
    assert.equal(m.v('fread', [buf, 2, 3, f]), 2, 'two whole 2-byte items of the 4 bytes left');
    assert.equal(String.fromCharCode(...m.peek(buf, 4)), 'file');
    assert.equal(m.v('feof', [f]), 1);
    assert.equal(m.v('ftell', [f]), 11);
    m.v('rewind', [f]);
    assert.equal(m.v('fgetc', [f]), 0x68);
    assert.equal(m.v('fileno', [f]), 3);
    assert.equal(m.v('fclose', [f]), 0);
    assert.equal(String.fromCharCode(...m.files.get('/tmp/f')!), 'hello, file');
  });

  it('fopen mallocs glibc\'s 472-byte FILE and frees it when open fails', () => {
    const m = new TestMachine();
    const errno = DATA_VA;
    assert.equal(m.v('fopen', [m.str('/missing'), m.str('r')]), 0);
    assert.equal(m.i32(errno), 2);
    const f = Number(m.v('fopen', [m.str('/new'), m.str('a')]));
    assert.equal(f, BRK_START + 0x2a0);
    assert.equal(m.word(f - 8), 0x1e1);
    assert.equal(m.v('fopen', [m.str('/x'), m.str('q')]), 0);
    assert.equal(m.i32(errno), 22);
  });

  it('append mode writes at the end', () => {
    const m = new TestMachine();
    m.files.set('/log', [0x41]);
    const f = m.v('fopen', [m.str('/log'), m.str('a')]);
    m.v('fputs', [m.str('BC'), f]);
    m.v('fclose', [f]);
    assert.equal(String.fromCharCode(...m.files.get('/log')!), 'ABC');
  });

  it('a NULL FILE * faults like glibc\'s first dereference', () => {
    const m = new TestMachine();
    assert.equal(m.call('fprintf', [0, m.str('x')]).signal, SIGSEGV);
  });
});
