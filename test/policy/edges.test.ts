/**
 * The C-level edges of the 2006 rules that the boundary table cannot show on
 * the default machines: the int overflow of ctob(physmem), 32-bit
 * truncation of the offset, alpha's per-cluster protections, the per-page
 * walk, and what NetBSD and Linux do around the check itself.
 */
import assert from 'node:assert/strict';
import {
  ctobInt,
  defaultMachine,
  DevMemRequest,
  judgeAll,
  judgeOne,
  machineForRam,
  MachineDescription,
  POLICY_ARCHES,
  PolicyArch,
  Prot,
} from '../../engine/policy';

const R: Prot = { read: true, write: false };
const RW: Prot = { read: true, write: true };

function at(offset: bigint, prot: Prot = R, lengthBytes = 1): DevMemRequest {
  return { offset, lengthBytes, prot };
}

function verdictOn(arch: PolicyArch, m: MachineDescription, req: DevMemRequest, euid: number, securelevel = 1) {
  return judgeOne(arch, req, { euid }, { [arch]: m }, securelevel);
}

describe('ctob(physmem) is an int shift', () => {
  it('computes the value C would: wraps at 2 GiB, vanishes at 4 GiB', () => {
    assert.deepEqual(ctobInt(524287, 4096), { value: 0x7ffff000n, trueBytes: 0x7ffff000n, wrapped: false });
    assert.deepEqual(ctobInt(524288, 4096), { value: -2147483648n, trueBytes: 0x80000000n, wrapped: true });
    assert.deepEqual(ctobInt(786432, 4096), { value: -1073741824n, trueBytes: 0xc0000000n, wrapped: true });
    assert.deepEqual(ctobInt(1048576, 4096), { value: 0n, trueBytes: 0x100000000n, wrapped: true });
  });

  it('amd64 with 2 GiB of physmem refuses non-root everywhere, even offset 0, and shows the wrapped value', () => {
    const m = { ...defaultMachine('amd64'), physmemPages: 524288 };
    const v = verdictOn('amd64', m, at(0n), 1000);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /-2147483648/);
    assert.match(v.reason, /int overflow/);
    assert.match(v.edge ?? '', /overflowed/);
    assert.equal(verdictOn('amd64', m, at(0n), 0).allowed, true, 'root still passes ISSUSER');
  });

  it('amd64 on a 4 GiB PC (RAM remapped above 4 GiB) wraps ctob to a negative int', () => {
    const m = machineForRam('amd64', 4n << 30n);
    const c = ctobInt(m.physmemPages, m.pageSizeBytes);
    assert.equal(c.trueBytes, 0xfff8f000n);
    assert.equal(c.value, -0x71000n);
    const v = verdictOn('amd64', m, at(0x100000n), 1000);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /-0x71000/);
  });

  it('vax: the overflow is undone by the u_int comparison below 4 GiB, and bites at 4 GiB', () => {
    const twoGiB = { ...defaultMachine('vax'), physmemPages: 524288 };
    const low = verdictOn('vax', twoGiB, at(0x1000n), 1000);
    assert.equal(low.allowed, true);
    assert.match(low.edge ?? '', /compared as u_int it is 0x80000000 again/);
    assert.equal(verdictOn('vax', twoGiB, at(0x80000000n), 1000).allowed, true, 'off == ctob passes');
    assert.equal(verdictOn('vax', twoGiB, at(0x80001000n), 1000).allowed, false);

    const fourGiB = { ...defaultMachine('vax'), physmemPages: 1048576 };
    assert.equal(verdictOn('vax', fourGiB, at(0n), 1000).allowed, true, '0 > 0 is false');
    const v = verdictOn('vax', fourGiB, at(0x1000n), 1000);
    assert.equal(v.allowed, false);
    assert.match(v.edge ?? '', /wrapped past 4 GiB/);
  });

  it('powerpc counts pages, so a large physmem does not overflow', () => {
    const m = { ...defaultMachine('powerpc'), physmemPages: 1048575 };
    assert.equal(verdictOn('powerpc', m, at(0xfffff000n - 0x1000n), 1000).allowed, true);
  });
});

describe('32-bit truncation of the offset', () => {
  const offset = (4n << 30n) + 0x100000n; // checked as 0x100000 where the offset is truncated

  it('lets 4 GiB + 1 MiB through where the low 32 bits are RAM', () => {
    const v = Object.fromEntries(judgeAll(at(offset), { euid: 1000 }, undefined, 1).map((x) => [x.arch, x]));
    assert.equal(v.i386.allowed, true);
    assert.match(v.i386.edge ?? '', /32-bit paddr_t/);
    assert.equal(v.vax.allowed, true);
    assert.match(v.vax.edge ?? '', /\(u_int\)off/);
    assert.equal(v.powerpc.allowed, true);
    assert.match(v.powerpc.edge ?? '', /32-bit paddr_t/);
    assert.equal(v.amd64.allowed, false, 'amd64 compares the whole 64-bit off_t');
    assert.equal(v.alpha.allowed, false, 'alpha keeps a 64-bit pa');
    assert.equal(v.sun3.allowed, false, 'sun3 compares the off_t');
    assert.equal(v.hp300.allowed, false, '0x100000 is below lowram');
  });

  it('hp300 maps 0x1ff000000 as lowram', () => {
    const v = judgeOne('hp300', at(0x1ff000000n), { euid: 1000 });
    assert.equal(v.allowed, true);
    assert.match(v.edge ?? '', /checked as 0xff000000/);
  });
});

describe('alpha protections', () => {
  it('reads the protection from the low bits of the cluster size', () => {
    const v = judgeOne('alpha', at(0n, RW), { euid: 0 }, undefined, 0);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /size word 0x180001 gives READ/);
    assert.match(v.reason, /lacks WRITE/);
  });

  it('grants EXEC in RAM but never outside it', () => {
    const rwx = { read: true, write: true, exec: true };
    assert.equal(judgeOne('alpha', at(0x200000n, rwx), { euid: 1000 }, undefined, 2).allowed, true);
    const outside = judgeOne('alpha', at(0x40000000n, { read: true, write: false, exec: true }), { euid: 0 }, undefined, -1);
    assert.equal(outside.allowed, false);
    assert.match(outside.reason, /lacks EXEC/);
  });

  it('ignores credentials', () => {
    for (const euid of [0, 1000]) assert.equal(judgeOne('alpha', at(0x40000000n), { euid }, undefined, 1).allowed, false);
  });
});

describe('the per-page walk', () => {
  it('refuses at the first page the rule refuses, and says which', () => {
    const v = judgeOne('i386', at(0x9e000n, R, 3 * 4096), { euid: 1000 }, undefined, 1);
    assert.equal(v.allowed, false);
    assert.match(v.reason, /^page 3 of 3 \(offset 0xa0000\)/);
    assert.match(v.edge ?? '', /<=/, 'the edge met on page 2 is reported');
    const ok = judgeOne('i386', at(0x9e000n, R, 2 * 4096), { euid: 1000 }, undefined, 1);
    assert.equal(ok.allowed, true);
    assert.match(ok.reason, /^all 2 pages pass/);
  });

  it('steps by the arch page size', () => {
    const lastTwo = judgeOne('sun3', at(0x7f8000n, R, 2 * 8192), { euid: 1000 });
    assert.equal(lastTwo.allowed, true);
    const pastEnd = judgeOne('sun3', at(0x7f8000n, R, 2 * 8192 + 1), { euid: 1000 });
    assert.equal(pastEnd.allowed, false);
    assert.match(pastEnd.reason, /page 3 of 3 \(offset 0x7fc000\)/);
  });

  it('Linux walks pfns over the whole mapping', () => {
    const v = judgeOne('linux', at(0xff000n, R, 2 * 4096), { euid: 0 });
    assert.equal(v.allowed, false);
    assert.equal(v.errno, 'EPERM');
    assert.match(v.reason, /page 2 of 2 \(offset 0x100000\)/);
  });
});

describe('around the check', () => {
  it('NetBSD refuses negative off_t offsets in udv_attach', () => {
    for (const v of judgeAll(at(0x8000000000000000n), { euid: 0 }, undefined, -1)) {
      if (v.arch === 'linux') continue;
      assert.equal(v.allowed, false, v.arch);
      assert.match(v.reason, /udv_attach/);
    }
  });

  it('notes that a writable open of /dev/mem fails at securelevel >= 1', () => {
    const rw = judgeOne('i386', at(0x100000n, RW), { euid: 0 }, undefined, 1);
    assert.equal(rw.allowed, true, "mmmmap's own answer is kept");
    assert.match(rw.reason, /open\(2\) of \/dev\/mem for writing already fails/);
    assert.doesNotMatch(judgeOne('i386', at(0x100000n, R), { euid: 0 }, undefined, 1).reason, /open\(2\)/);
    assert.doesNotMatch(judgeOne('i386', at(0x100000n, RW), { euid: 0 }, undefined, 0).reason, /open\(2\)/);
  });

  it('NetBSD 4 names every reason it refuses unmanaged memory', () => {
    const v = judgeOne('netbsd4', at(0xcf000n), { euid: 1000 }, undefined, 1);
    assert.match(v.reason, /euid 1000 is not root and securelevel 1 > 0/);
    assert.match(judgeOne('netbsd4', at(0xcf000n), { euid: 0 }, undefined, 1).reason, /: securelevel 1 > 0$/);
  });

  it('Linux: EPERM without CAP_SYS_RAWIO, EINVAL unaligned, anything without STRICT_DEVMEM', () => {
    assert.equal(judgeOne('linux', at(0xa0000n), { euid: 1000 }).errno, 'EPERM');
    assert.equal(judgeOne('linux', at(0xa0001n), { euid: 0 }).errno, 'EINVAL');
    const lax = { ...defaultMachine('linux'), strictDevmem: false };
    assert.equal(judgeOne('linux', at(0x100000n), { euid: 0 }, { linux: lax }).allowed, true);
    assert.equal(judgeOne('linux', at(0x100000n), { euid: 1000 }, { linux: lax }).allowed, false);
  });

  it('Linux ignores securelevel', () => {
    for (const sl of [-1, 0, 1, 2]) assert.equal(judgeOne('linux', at(0xa0000n), { euid: 0 }, undefined, sl).allowed, true);
  });
});

describe('judgeAll', () => {
  it('answers in the fixed arch order', () => {
    assert.deepEqual(
      judgeAll(at(0n), { euid: 0 }).map((v) => v.arch),
      ['i386', 'amd64', 'alpha', 'vax', 'hp300', 'powerpc', 'sun3', 'netbsd4', 'linux'],
    );
    assert.deepEqual([...POLICY_ARCHES], judgeAll(at(0n), { euid: 0 }).map((v) => v.arch));
  });

  it("uses each machine's own securelevel (1, multi-user) unless one is given", () => {
    assert.equal(judgeOne('i386', at(0xcf000n), { euid: 0 }).allowed, false);
    assert.equal(judgeAll(at(0xcf000n), { euid: 0 }, undefined, 0)[0].allowed, true);
  });
});
