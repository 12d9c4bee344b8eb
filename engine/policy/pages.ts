/**
 * Both kernels ask their check once per page of the mapping: UVM's
 * udv_attach calls mmmmap for off, off + PAGE_SIZE, ... and refuses the whole
 * mmap at the first -1; Linux's range_is_allowed walks pfn by pfn. So a
 * request is judged page by page and the first refused page decides.
 * The cost is one check per page: fine for what a program maps, slow only for
 * gigabyte-sized requests.
 */
import { hex } from './cint';
import { DevMemRequest, MachineDescription, PolicyArch, Verdict } from './types';

/** The outcome of the check for one page. */
export interface PageJudgement {
  allowed: boolean;
  reason: string;
  edge?: string;
  errno?: Verdict['errno'];
}

export function allow(reason: string, edge?: string): PageJudgement {
  return { allowed: true, reason, edge };
}

export function deny(reason: string, edge?: string, errno: Verdict['errno'] = 'EINVAL'): PageJudgement {
  return { allowed: false, reason, edge, errno };
}

/** Joins the edges that apply, leaving none when none do. */
export function edges(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  return present.length === 0 ? undefined : present.join('; ');
}

/** How many pages a mapping of lengthBytes covers; a zero length still asks about the first page. */
export function requestPageCount(lengthBytes: number, pageSizeBytes: number): number {
  return Math.max(1, Math.ceil(lengthBytes / pageSizeBytes));
}

export function judgeEachPage(
  arch: PolicyArch,
  rule: string,
  req: DevMemRequest,
  m: MachineDescription,
  judgePage: (offset: bigint) => PageJudgement,
): Verdict {
  const pageCount = requestPageCount(req.lengthBytes, m.pageSizeBytes);
  const step = BigInt(m.pageSizeBytes);
  const seenEdges: string[] = [];
  let first: PageJudgement | undefined;
  for (let i = 0; i < pageCount; i++) {
    const offset = req.offset + BigInt(i) * step;
    const page = judgePage(offset);
    if (page.edge !== undefined && !seenEdges.includes(page.edge)) seenEdges.push(page.edge);
    first ??= page;
    if (!page.allowed) {
      const where = pageCount > 1 ? `page ${i + 1} of ${pageCount} (offset ${hex(offset)}): ` : '';
      return { arch, allowed: false, rule, reason: where + page.reason, edge: edges(...seenEdges), errno: page.errno };
    }
  }
  const reason = pageCount > 1 ? `all ${pageCount} pages pass; the first: ${first!.reason}` : first!.reason;
  return { arch, allowed: true, rule, reason, edge: edges(...seenEdges) };
}
