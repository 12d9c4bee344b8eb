/**
 * The shapes of the adapter's custom requests (docs/dap-custom-requests.md). The types come from
 * the engine, where the data is produced, so the two cannot drift; these imports are type-only and
 * add nothing to the bundle.
 */
import type { FrameInfo, KmapInfo, PageTableNode, TaskVmas, TlbInfo, VmallocInfo, WalkResult } from '../../engine/session/inspect';
import type { ChangeSummary } from '../../engine/session/debug';
import type { DevmemTraceRecord } from '../../engine/kernel/drivers/devmem';

export type { ChangeSummary, DevmemTraceRecord, FrameInfo, KmapInfo, PageTableNode, TaskVmas, TlbInfo, VmallocInfo, WalkResult };

export interface VmasResponse {
  tasks: TaskVmas[];
  vmalloc: VmallocInfo[];
  /** The pkmap and kmap_atomic slots in use (32-bit arches; empty on x86_64). */
  kmap?: KmapInfo;
  /** The pid of the task that stopped. */
  current: number;
}

export interface VmaPage {
  va: string;
  pfn: number;
  flags: string[];
}

export interface PageTableResponse {
  pid: number;
  arch: string;
  levels: { name: string; folded: boolean; entries: number }[];
  nodes: PageTableNode[];
}

export interface FramesResponse {
  zones: { name: string; startPfn: number; endPfn: number }[];
  runs: { startPfn: number; endPfn: number; owner: string }[];
  total: number;
  free: number;
  byOwner: Record<string, number>;
}

export interface TlbResponse {
  cr3: string;
  entries: TlbInfo[];
  stats: { hits: number; misses: number; flushes: number; staleUses: number };
}

export interface PsTask {
  pid: number;
  comm: string;
  state: string;
  kind: string;
  /** Address of the mm_struct, or '-' for a kernel thread. */
  mm: string;
  uid: number;
}

export interface StatusResponse {
  arch: string;
  securelevel: number;
  pid: number;
  comm: string;
  steps: number;
}
