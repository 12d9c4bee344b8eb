/**
 * The kmemlab debug adapter: translates the Debug Adapter Protocol to the engine's DebugRuntime.
 * It knows nothing of the kernel; it runs as a Node process on stdio (adapterMain.ts) or inline in
 * the extension host (the web build), with the same code — only the file access differs.
 */
import {
  Breakpoint, Event, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugRuntime, EXCEPTION_FILTERS } from '../../engine/session/debug';
import { BadInput, type ArchChoice } from '../../engine/session/lab';
import { basenameOf, loadFiles, loadLab, type LoadedLab } from '../labs/labSources';
import { CompileError, formatDiagnostic } from '../../engine/lang/diagnostics';
import { KERNEL_HEADERS } from '../../engine/kernel/include/linux';
import { LIBC_HEADERS } from '../../engine/libc/headers';

/** How the adapter reads the lab's files (Node's fs, or vscode.workspace.fs in the browser). */
export interface FileAccessor {
  readFile(path: string): Promise<Uint8Array>;
  /** Entries of a folder: name and whether it is a folder. */
  readDirectory(path: string): Promise<[string, boolean][]>;
  isDirectory(path: string): Promise<boolean>;
}

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** A lab folder or its lab.json. */
  lab?: string;
  drivers?: string[];
  programs?: string[];
  arch?: ArchChoice;
  ramMiB?: number;
  securelevel?: number;
  stopOnEntry?: boolean;
  maxSteps?: number;
  /** Step In also enters kernel routines. */
  stepIntoKernel?: boolean;
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export class KmemlabDebugSession extends LoggingDebugSession {
  private runtime: DebugRuntime | undefined;
  private configurationDone!: Promise<void>;
  private configured: () => void = () => undefined;
  private readonly headerRefs = new Map<string, number>();
  private readonly headerTexts = new Map<number, string>();
  private readonly pendingBreakpoints = new Map<string, DebugProtocol.SourceBreakpoint[]>();

  constructor(private readonly files: FileAccessor) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configurationDone = new Promise((resolve) => (this.configured = resolve));
  }

  /** Every request goes through here: a failure becomes an error response, never a crash. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      super.dispatchRequest(request);
    } catch (e) {
      const response: DebugProtocol.Response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false };
      this.sendErrorResponse(response, 1, e instanceof Error ? e.message : String(e));
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    this.sendErrorResponse(response, { id: 2, format: (e instanceof Error ? e.message : String(e)).replace(/[{}]/g, ''), showUser: false });
  }

  private need(): DebugRuntime {
    if (!this.runtime) throw new Error('no program is being debugged (launch first)');
    return this.runtime;
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDataBreakpoints: true,
      supportsCompletionsRequest: true,
      supportsExceptionInfoRequest: true,
      supportsBreakpointLocationsRequest: true,
      supportsValueFormattingOptions: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, description: f.description, default: f.default })),
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  // ---- launch ------------------------------------------------------------------------------------

  /** The lab to launch and every source it may read (lab folder, or loose driver/program files). */
  private async labFor(args: LaunchArguments): Promise<LoadedLab> {
    if (args.lab) return loadLab(this.files, args.lab);
    const paths = [...(args.drivers ?? []), ...(args.programs ?? [])];
    if (paths.length === 0) throw new BadInput('launch needs "lab", or "drivers" and/or "programs"');
    const loaded = await loadFiles(this.files, paths);
    // Explicit lists say which is which, whatever module_init detection would guess.
    loaded.lab.drivers = (args.drivers ?? []).map((path) => ({ path, params: {} }));
    loaded.lab.programs = (args.programs ?? []).map((path) => ({ path, args: [], uid: 0, gid: 0 }));
    return loaded;
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    try {
      const { lab, texts } = await this.labFor(args);
      if (args.arch) lab.arch = args.arch;
      if (args.ramMiB) lab.ramMiB = args.ramMiB;
      if (args.securelevel !== undefined) lab.securelevel = args.securelevel;
      if (args.maxSteps) lab.maxSteps = args.maxSteps;
      this.runtime = new DebugRuntime(lab, { readFile: (p) => texts.get(p) }, this.runtimeEvents(), { stopOnEntry: !!args.stopOnEntry, stepIntoKernel: !!args.stepIntoKernel });
    } catch (e) {
      this.reportLaunchError(e);
      this.fail(response, e instanceof CompileError ? new Error(e.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)[0] ?? e.message) : e);
      this.sendEvent(new TerminatedEvent());
      return;
    }
    for (const unit of [...this.runtime.session.drivers, ...this.runtime.session.programs]) {
      for (const w of unit.tu.warnings) this.sendEvent(this.located(new OutputEvent(formatDiagnostic(w) + '\n', 'stderr'), w.file, w.line));
    }
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 5000))]);
    for (const [file, bps] of this.pendingBreakpoints) this.runtime.setBreakpoints(file, bps.map((b) => ({ line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })));
    this.sendResponse(response);
    this.runtime.start();
  }

  /** A C error is shown at its source location, then the session ends. */
  private reportLaunchError(e: unknown): void {
    if (e instanceof CompileError) {
      for (const d of e.diagnostics) this.sendEvent(this.located(new OutputEvent(formatDiagnostic(d) + '\n', d.severity === 'error' ? 'stderr' : 'console'), d.file, d.line));
    } else this.sendEvent(new OutputEvent(`kmemlab: ${e instanceof Error ? e.message : String(e)}\n`, 'stderr'));
  }

  private located(ev: OutputEvent, file: string | undefined, line: number | undefined): OutputEvent {
    const body = (ev as DebugProtocol.OutputEvent).body;
    if (file) body.source = this.sourceFor(file);
    if (line) body.line = this.convertDebuggerLineToClient(line);
    return ev;
  }

  private runtimeEvents(): ConstructorParameters<typeof DebugRuntime>[2] {
    return {
      stopped: (e) => {
        const ev = new StoppedEvent(e.reason, e.threadId) as DebugProtocol.StoppedEvent;
        ev.body.description = e.description;
        ev.body.text = e.text;
        ev.body.allThreadsStopped = true;
        if (e.breakpointIds?.length) ev.body.hitBreakpointIds = e.breakpointIds;
        this.sendEvent(ev);
      },
      output: (e) => this.sendEvent(this.located(new OutputEvent(e.text, e.category), e.file, e.line)),
      changed: (summary) => this.sendEvent(new Event('kmemlab/changed', summary)),
      threadStarted: (id) => this.sendEvent(new ThreadEvent('started', id)),
      threadExited: (id) => this.sendEvent(new ThreadEvent('exited', id)),
      exited: (code) => this.sendEvent(new ExitedEvent(code)),
      terminated: () => this.sendEvent(new TerminatedEvent()),
    };
  }

  /** A Source for a file: a real path, or a built-in header served by `source` requests. */
  private sourceFor(file: string): Source {
    if (file.startsWith('/')) return new Source(basenameOf(file), this.convertDebuggerPathToClient(file));
    let ref = this.headerRefs.get(file);
    if (ref === undefined) {
      ref = this.headerRefs.size + 1;
      this.headerRefs.set(file, ref);
      this.headerTexts.set(ref, KERNEL_HEADERS.get(file) ?? LIBC_HEADERS.get(file) ?? `/* ${file}: source not available */\n`);
    }
    return new Source(file, undefined, ref, 'kmemlab', { origin: 'built-in header' });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const text = this.headerTexts.get(args.sourceReference);
    if (text === undefined) return this.fail(response, new Error('unknown source'));
    response.body = { content: text, mimeType: 'text/x-c' };
    this.sendResponse(response);
  }

  // ---- breakpoints ----------------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const path = args.source.path ? this.convertClientPathToDebugger(args.source.path) : undefined;
    const bps = args.breakpoints ?? [];
    if (!path) {
      response.body = { breakpoints: bps.map(() => new Breakpoint(false)) };
      this.sendResponse(response);
      return;
    }
    if (!this.runtime) {
      this.pendingBreakpoints.set(path, bps);
      response.body = { breakpoints: bps.map((b) => new Breakpoint(false, b.line)) };
      this.sendResponse(response);
      return;
    }
    const results = this.runtime.setBreakpoints(path, bps.map((b) => ({ line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })));
    response.body = {
      breakpoints: results.map((r) => {
        const bp = new Breakpoint(r.verified, this.convertDebuggerLineToClient(r.line), undefined, this.sourceFor(path)) as DebugProtocol.Breakpoint;
        bp.id = r.id;
        if (r.message) bp.message = r.message;
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const rt = this.need();
    const path = args.source.path ? this.convertClientPathToDebugger(args.source.path) : '';
    const lines = new Set<number>();
    for (const fn of rt.session.functions()) {
      if (fn.file !== path) continue;
      fn.locs.forEach((l, pc) => {
        if (fn.stmtStart[pc] && l.line >= args.line && l.line <= (args.endLine ?? args.line)) lines.add(l.line);
      });
    }
    response.body = { breakpoints: [...lines].sort((a, b) => a - b).map((line) => ({ line: this.convertDebuggerLineToClient(line) })) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const rs = this.need().setFunctionBreakpoints(args.breakpoints.map((b) => ({ name: b.name, condition: b.condition, hitCondition: b.hitCondition })));
    response.body = {
      breakpoints: rs.map((r) => {
        const bp = new Breakpoint(r.verified) as DebugProtocol.Breakpoint;
        bp.id = r.id;
        if (r.message) bp.message = r.message;
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.runtime?.setExceptionFilters([...args.filters, ...(args.filterOptions ?? []).map((f) => f.filterId)]);
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const info = this.need().dataBreakpointInfo(args.variablesReference, args.name, args.frameId);
    response.body = { dataId: info.dataId, description: info.description, accessTypes: ['write'] as DebugProtocol.DataBreakpointAccessType[], canPersist: false };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const rs = this.need().setDataBreakpoints(args.breakpoints.map((b) => b.dataId));
    response.body = { breakpoints: rs.map((r) => ({ verified: r.verified, message: r.message })) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    void args;
    const rt = this.need();
    const info = rt.session.kernel.exec.stopInfo;
    response.body = { exceptionId: 'kernel-event', description: info?.description ?? '', breakMode: 'always', details: { message: info?.description } };
    this.sendResponse(response);
  }

  // ---- execution ----------------------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.need().continue();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.sendResponse(response);
    this.need().step('over', args.threadId);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.sendResponse(response);
    this.need().step('in', args.threadId);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.sendResponse(response);
    this.need().step('out', args.threadId);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.sendResponse(response);
    this.need().stepBack(args.threadId);
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    this.need().reverseContinue();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.need().pause();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    this.sendResponse(response);
    this.need().restart();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.terminate();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime?.terminate();
    this.sendResponse(response);
  }

  // ---- state ------------------------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.runtime ? this.runtime.threads().map((t) => new Thread(t.id, t.name)) : [] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const { frames, total } = this.need().stack(args.threadId, args.startFrame ?? 0, args.levels || 1000);
    response.body = {
      totalFrames: total,
      stackFrames: frames.map((f) => {
        const sf = new StackFrame(f.id, f.name, f.file ? this.sourceFor(f.file) : undefined, f.file ? this.convertDebuggerLineToClient(f.line) : 0, f.column) as DebugProtocol.StackFrame;
        sf.instructionPointerReference = f.address;
        if (f.kernel) sf.presentationHint = 'subtle';
        return sf;
      }),
    };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    response.body = {
      scopes: this.need()
        .scopes(args.frameId)
        .map((s) => {
          const scope = new Scope(s.name, s.ref, s.expensive) as DebugProtocol.Scope;
          if (s.hint) scope.presentationHint = s.hint;
          return scope;
        }),
    };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const vars = this.need().variables(args.variablesReference, args.start, args.count);
    response.body = {
      variables: vars.map((v) => ({
        name: v.name,
        value: v.value,
        type: v.type,
        variablesReference: v.ref,
        indexedVariables: v.indexed,
        memoryReference: v.memoryReference,
        evaluateName: v.evaluateName,
      })),
    };
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const v = this.need().setVariable(args.variablesReference, args.name, args.value);
    response.body = { value: v.value, type: v.type, variablesReference: v.ref, memoryReference: v.memoryReference };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    try {
      const r = this.need().evaluate(args.expression, args.frameId, args.context ?? 'repl');
      response.body = { result: r.result, type: r.type, variablesReference: r.ref, memoryReference: r.memoryReference, indexedVariables: r.indexed };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, e);
    }
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const text = args.text.slice(0, args.column - 1);
    response.body = { targets: this.need().completions(text, args.frameId).map((label) => ({ label, type: 'variable' })) };
    this.sendResponse(response);
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const r = this.need().readMemory(args.memoryReference, args.offset ?? 0, Math.min(args.count, 1 << 20));
    response.body = { address: r.address, data: toBase64(r.data), unreadableBytes: r.unreadable };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const n = this.need().writeMemory(args.memoryReference, args.offset ?? 0, fromBase64(args.data));
    response.body = { bytesWritten: n };
    this.sendResponse(response);
    this.sendEvent(new Event('memory', { memoryReference: args.memoryReference, offset: args.offset ?? 0, count: n }));
  }

  /** The views' data: see docs/dap-custom-requests.md. */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown>): void {
    const rt = this.need();
    const ins = rt.inspector;
    const pid = (args?.pid as number | undefined) ?? (rt.session.currentTask ?? rt.session.kernel.current).pid;
    const num = (v: unknown) => (typeof v === 'string' ? Number(BigInt.asIntN(64, BigInt(v))) : Number(v));
    switch (command) {
      case 'kmemlab/vmas': {
        const tasks = [...rt.session.kernel.tasks.values()].filter((t) => !t.exited && t.mm).map((t) => ins.vmas(t.pid)!);
        response.body = { tasks, vmalloc: ins.vmallocAreas(), kmap: ins.kmaps(), current: pid };
        break;
      }
      case 'kmemlab/vmaPages':
        response.body = { pages: ins.vmaPages(pid, num(args.start), num(args.end)) };
        break;
      case 'kmemlab/pageTable':
        response.body = { pid, arch: rt.session.kernel.arch.name, levels: rt.session.kernel.arch.levels.map((l) => ({ name: l.name, folded: l.folded, entries: l.entries })), nodes: ins.pageTable(pid, (args.path as number[]) ?? []) };
        break;
      case 'kmemlab/walk':
        response.body = ins.walk(pid, num(args.va));
        break;
      case 'kmemlab/frames':
        response.body = ins.frames(num(args.start ?? 0), num(args.count ?? 4096));
        break;
      case 'kmemlab/frame':
        response.body = ins.frame(num(args.pfn));
        break;
      case 'kmemlab/tlb':
        response.body = ins.tlb();
        break;
      case 'kmemlab/ps':
        response.body = { tasks: ins.ps() };
        break;
      case 'kmemlab/command':
        response.body = { text: ins.command(String(args.line ?? ''), pid) };
        break;
      case 'kmemlab/policies': {
        const s = rt.session as unknown as { devmemTrace?: () => unknown[] };
        response.body = { requests: s.devmemTrace ? s.devmemTrace() : [] };
        break;
      }
      case 'kmemlab/status': {
        const k = rt.session.kernel;
        const t = rt.session.currentTask ?? k.current;
        response.body = { arch: k.arch.name, securelevel: k.securelevel, pid: t.pid, comm: t.comm, steps: k.exec.steps };
        break;
      }
      default:
        return super.customRequest(command, response, args);
    }
    this.sendResponse(response);
  }
}
