/** Typed access to one kmemlab debug session's custom requests: the only door to the machine. */
import type * as vscode from 'vscode';
import type {
  FramesResponse, FrameInfo, PageTableResponse, PsTask, StatusResponse, TlbResponse, VmaPage, VmasResponse, WalkResult, DevmemTraceRecord,
} from './protocol';

export class KmemlabClient {
  constructor(readonly session: vscode.DebugSession) {}

  private request<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    return Promise.resolve(this.session.customRequest(command, args) as Thenable<T>);
  }

  vmas(): Promise<VmasResponse> {
    return this.request('kmemlab/vmas');
  }

  async vmaPages(pid: number, start: string, end: string): Promise<VmaPage[]> {
    return (await this.request<{ pages: VmaPage[] }>('kmemlab/vmaPages', { pid, start, end })).pages;
  }

  /** The present entries of the table at `path` ([] is the pgd); pid 0 is the kernel's init_mm. */
  pageTable(pid: number, path: number[]): Promise<PageTableResponse> {
    return this.request('kmemlab/pageTable', { pid, path });
  }

  walk(pid: number, va: string): Promise<WalkResult> {
    return this.request('kmemlab/walk', { pid, va });
  }

  frames(startPfn = 0, count = 4096): Promise<FramesResponse> {
    return this.request('kmemlab/frames', { start: startPfn, count });
  }

  frame(pfn: number): Promise<FrameInfo> {
    return this.request('kmemlab/frame', { pfn });
  }

  tlb(): Promise<TlbResponse> {
    return this.request('kmemlab/tlb');
  }

  async ps(): Promise<PsTask[]> {
    return (await this.request<{ tasks: PsTask[] }>('kmemlab/ps')).tasks;
  }

  async command(line: string, pid?: number): Promise<string> {
    return (await this.request<{ text: string }>('kmemlab/command', pid === undefined ? { line } : { line, pid })).text;
  }

  async policies(): Promise<DevmemTraceRecord[]> {
    return (await this.request<{ requests: DevmemTraceRecord[] }>('kmemlab/policies')).requests;
  }

  status(): Promise<StatusResponse> {
    return this.request('kmemlab/status');
  }
}
