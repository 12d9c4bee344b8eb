/**
 * kmemleak at module unload: every kmalloc object and vmalloc area the module allocated and never
 * gave back is an "unreferenced object", printed as kmemleak prints one (pr_fmt "kmemleak: "),
 * with the allocating call trace that KASAN saved. Real kmemleak finds leaks by scanning memory
 * for pointers; at unload nothing of the module can still point at them, so every one counts.
 */
import { PAGE_SIZE } from '../machine/physmem';
import type { I64 } from '../util/int64';
import type { Kernel } from './kernel';
import type { SavedStack } from './kasan';

const HEX_DUMP_BYTES = 32;
const HEX_ROW_BYTES = 16;

/** One object's record, line by line, without the prefix. */
function unreferencedObject(k: Kernel, va: number, sizeBytes: number, alloc: SavedStack | undefined, fallbackSite: string): string[] {
  const out = [`unreferenced object 0x${k.oops.fmtPtr(va)} (size ${sizeBytes}):`];
  if (alloc) {
    const jiffies = BigInt.asUintN(k.arch.vaBits, BigInt(alloc.jiffies as I64)).toString();
    const age = ((k.nowNs() - alloc.ns) / 1e9).toFixed(3);
    out.push(`  comm "${alloc.comm}", pid ${alloc.pid}, jiffies ${jiffies} (age ${age}s)`);
  }
  const bytes = k.km.readBytes(va, Math.min(HEX_DUMP_BYTES, sizeBytes));
  out.push(`  hex dump (first ${bytes.length} bytes):`);
  for (let off = 0; off < bytes.length; off += HEX_ROW_BYTES) {
    const row = bytes.subarray(off, off + HEX_ROW_BYTES);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    out.push(`    ${hex}  ${ascii}`);
  }
  out.push('  backtrace:');
  if (alloc) out.push(...k.kasan.stackLines(alloc).map((l) => `   ${l}`));
  else out.push(`    ${fallbackSite}`);
  return out;
}

/** Prints what `owner` leaked; returns how many objects. */
export function reportLeaks(k: Kernel, owner: string): number {
  const records: string[][] = [];
  for (const o of k.slab.leaksOf(owner)) records.push(unreferencedObject(k, o.va, o.requestedBytes, k.kasan.allocationOf(o.va), o.allocSite));
  for (const a of k.vmalloc.leaksOf(owner)) {
    const size = k.kasan.vmallocRequestedBytes(a.start) ?? a.pfns.length * PAGE_SIZE;
    records.push(unreferencedObject(k, a.start, size, k.kasan.allocationOf(a.start), a.caller));
  }
  if (records.length === 0) return 0;
  k.printk(`\x013kmemleak: ${records.length} new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n`);
  for (const r of records) for (const l of r) k.printk(`\x013kmemleak: ${l}\n`);
  return records.length;
}
