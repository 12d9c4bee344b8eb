import assert from 'node:assert/strict';
import { FIXED_EPOCH_SECONDS } from '../../engine/libc/index';
import { BRK_START, DATA_VA, TestMachine } from './machine';

const errno = (m: TestMachine) => m.i32(DATA_VA);

describe('libc system call wrappers', () => {
  it('__errno_location is a real int in libc\'s data', () => {
    const m = new TestMachine();
    assert.equal(m.v('__errno_location'), DATA_VA);
  });

  it('a raw -errno becomes -1 with errno set; success passes the result through', () => {
    const m = new TestMachine();
    assert.equal(m.v('read', [77, m.reserve(8), 8]), -1);
    assert.equal(errno(m), 9);
    assert.equal(m.v('write', [1, m.str('hi'), 2]), 2);
    assert.equal(m.output(1), 'hi');
    assert.equal(m.v('close', [99]), -1);
    assert.equal(m.v('lseek', [1, 0, 1]), -1);
    assert.equal(errno(m), 29);
  });

  it('open passes the mode only with O_CREAT', () => {
    const m = new TestMachine();
    let seen: unknown[] = [];
    const real = m.syscall('open')!;
    const spy = { ...real, impl: (ctx: Parameters<typeof real.impl>[0], args: Parameters<typeof real.impl>[1]) => { seen = args; return real.impl(ctx, args); } };
    (m as unknown as { syscalls: Map<string, unknown> }).syscalls.set('open', spy);
    m.v('open', [m.str('/a'), 0o100 | 2, 0o644]);
    assert.deepEqual(seen.slice(1), [0o102, 0o644]);
    m.v('open', [m.str('/a'), 0, 0o644]);
    assert.deepEqual(seen.slice(1), [0, 0]);
  });

  it('ioctl hands its third argument through untouched', () => {
    const m = new TestMachine();
    assert.equal(m.v('ioctl', [1, 0x5401, 0x7fffdeadbeef]), 0x7fffdeadbeef);
    assert.equal(m.v('ioctl', [3, 0x5401, 0]), -1);
    assert.equal(errno(m), 25);
  });

  it('mmap returns the mapping, or MAP_FAILED with errno from the raw result', () => {
    const m = new TestMachine();
    const p = Number(m.v('mmap', [0, 8192, 3, 0x22, -1, 0]));
    assert.ok(p > 0x7e0000000000);
    m.v('memset', [p, 1, 8192]);
    assert.equal(m.v('munmap', [p, 8192]), 0);
    assert.equal(m.v('munmap', [p, 8192]), -1);
    assert.equal(errno(m), 22);
    const failing = new TestMachine();
    (failing as unknown as { syscalls: Map<string, unknown> }).syscalls.set('mmap', { ...failing.syscall('mmap')!, impl: () => -12 });
    assert.equal(failing.v('mmap', [0, 4096, 3, 0x22, -1, 0]), -1);
    assert.equal(errno(failing), 12);
  });

  it('a system call the kernel lacks fails with ENOSYS', () => {
    const m = new TestMachine({ omitSyscalls: ['pause', 'msync'] });
    assert.equal(m.v('pause'), -1);
    assert.equal(errno(m), 38);
    assert.equal(m.v('syscall', [39]), 42, 'syscall(SYS_getpid)');
    assert.equal(m.v('syscall', [26, 0, 0, 0]), -1, 'syscall(SYS_msync) without msync');
    assert.equal(errno(m), 38);
    assert.equal(m.v('syscall', [9999]), -1);
  });

  it('sbrk and brk move the break; sbrk(0) reads it', () => {
    const m = new TestMachine();
    assert.equal(m.v('sbrk', [0]), BRK_START);
    assert.equal(m.v('sbrk', [4096]), BRK_START);
    assert.equal(m.brk, BRK_START + 4096);
    assert.equal(m.v('brk', [BRK_START + 100]), 0);
    assert.equal(m.v('sbrk', [0]), BRK_START + 100);
    assert.equal(m.v('sbrk', [1 << 30]), -1, '(void *)-1');
    assert.equal(errno(m), 12);
  });

  it('malloc grows the heap from where a program left the break', () => {
    const m = new TestMachine();
    m.v('sbrk', [4096]);
    assert.equal(m.v('malloc', [8]), BRK_START + 4096 + 0x2a0);
  });

  it('time is fixed without a kernel clock; sleep and usleep go through nanosleep', () => {
    const m = new TestMachine();
    const t = m.reserve(8, 8);
    assert.equal(m.v('time', [t]), FIXED_EPOCH_SECONDS);
    assert.equal(m.word(t), FIXED_EPOCH_SECONDS);
    assert.equal(m.v('sleep', [2]), 0);
    assert.equal(m.v('usleep', [1500]), 0);
    assert.equal(m.word(DATA_VA + 896), 0, 'usleep(1500): tv_sec 0');
    assert.equal(m.word(DATA_VA + 904), 1500000, 'tv_nsec');
  });

  it('getpagesize and sysconf', () => {
    const m = new TestMachine();
    assert.equal(m.v('getpagesize'), 4096);
    assert.equal(m.v('sysconf', [30]), 4096);
    assert.equal(m.v('sysconf', [12345]), -1);
  });

  it('raise sends the signal to the process itself', () => {
    const m = new TestMachine();
    assert.equal(m.call('raise', [15]).signal, 15);
  });
});
