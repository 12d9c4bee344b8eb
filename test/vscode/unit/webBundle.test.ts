// The browser bundle (dist/web/extension.js, package.json "browser") loaded in Node with a stub
// of the vscode API whose file system is a non-file scheme: it activates, registers an inline
// debug adapter, and that adapter runs a lab through vscode.workspace.fs — a breakpoint set on a
// URI stops in the .fault handler, stack frames come back as URIs, and the views' custom requests
// answer. This is the code path vscode.dev runs, minus the browser.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module = require('node:module');

const ROOT = path.resolve(__dirname, '../../../..');
const BUNDLE = path.join(ROOT, 'dist/web/extension.js');
const SCHEME = 'vscode-test-web';
const AUTHORITY = 'mount';

/** Anything not stubbed below: callable, constructible, every property another such thing. */
function anything(): any {
  const f = function () {};
  return new Proxy(f, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.iterator ? undefined : anything()),
    set: () => true,
    defineProperty: () => true,
    apply: () => anything(),
    construct: () => anything(),
  });
}

function withFallback<T extends object>(o: T): T {
  return new Proxy(o, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : anything()) });
}

class Uri {
  constructor(readonly scheme: string, readonly authority: string, readonly path: string) {}
  static from(c: { scheme: string; authority?: string; path?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '/');
  }
  static parse(s: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/i.exec(s);
    if (!m) throw new Error(`not a URI: ${s}`);
    return new Uri(m[1], m[2], m[3] ?? '/');
  }
  static file(p: string): Uri {
    return new Uri('file', '', p);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}

function local(uri: Uri): string {
  assert.equal(uri.scheme, SCHEME, `only ${SCHEME} URIs are read, not ${uri.toString()}`);
  return uri.path;
}

interface Captured {
  factory?: { createDebugAdapterDescriptor(s: unknown): { implementation: InlineAdapter } };
}

interface InlineAdapter {
  handleMessage(m: unknown): void;
  onDidSendMessage(cb: (m: DapMessage) => void): void;
}

interface DapMessage {
  type: string;
  event?: string;
  command?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: any;
}

/** Names the bundle reads from the vscode module (esbuild copies a module's own properties). */
const API_NAMES = [
  'window', 'commands', 'tests', 'env', 'languages', 'extensions', 'ThemeColor', 'ThemeIcon', 'TreeItem', 'TreeItemCollapsibleState',
  'FileDecoration', 'MarkdownString', 'StatusBarAlignment', 'ViewColumn', 'Range', 'Position', 'Location', 'Selection', 'TestMessage',
  'TestRunProfileKind', 'TestRunRequest', 'CancellationTokenSource', 'DebugConfigurationProviderTriggerKind', 'SourceBreakpoint',
  'TextEditorRevealType', 'RelativePattern', 'DebugAdapterExecutable',
];

function vscodeStub(captured: Captured): unknown {
  const root = Uri.from({ scheme: SCHEME, authority: AUTHORITY, path: path.join(ROOT, 'labs') });
  return withFallback({
    ...Object.fromEntries(API_NAMES.map((n) => [n, anything()])),
    Uri,
    FileType: { File: 1, Directory: 2, SymbolicLink: 64 },
    DebugAdapterInlineImplementation: class {
      constructor(readonly implementation: InlineAdapter) {}
    },
    EventEmitter: class {
      event = () => ({ dispose() {} });
      fire() {}
      dispose() {}
    },
    workspace: withFallback({
      workspaceFolders: [{ uri: root, name: 'labs', index: 0 }],
      findFiles: async () => [],
      fs: {
        readFile: async (u: Uri) => new Uint8Array(fs.readFileSync(local(u))),
        readDirectory: async (u: Uri) => fs.readdirSync(local(u), { withFileTypes: true }).map((e) => [e.name, e.isDirectory() ? 2 : 1]),
        stat: async (u: Uri) => ({ type: fs.statSync(local(u)).isDirectory() ? 2 : 1 }),
      },
    }),
    debug: withFallback({
      registerDebugAdapterDescriptorFactory: (_type: string, f: Captured['factory']) => {
        captured.factory = f;
        return { dispose() {} };
      },
    }),
  });
}

function loadBundle(stub: unknown): { activate(ctx: unknown): unknown } {
  const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = M._load;
  M._load = function (request, parent, isMain) {
    if (request === 'vscode') return stub;
    return original.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[BUNDLE];
    return require(BUNDLE);
  } finally {
    M._load = original;
  }
}

class DapDriver {
  private seq = 1;
  private readonly waiters: { match: (m: DapMessage) => boolean; resolve: (m: DapMessage) => void }[] = [];
  readonly seen: DapMessage[] = [];

  constructor(private readonly adapter: InlineAdapter) {
    adapter.onDidSendMessage((m) => {
      this.seen.push(m);
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
    });
  }

  next(match: (m: DapMessage) => boolean, what: string, ms = 15_000): Promise<DapMessage> {
    const already = this.seen.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async request(command: string, args: unknown = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const answer = this.next((m) => m.type === 'response' && m.request_seq === seq, `answer to ${command}`);
    this.adapter.handleMessage({ seq, type: 'request', command, arguments: args });
    const r = await answer;
    if (!r.success) throw new Error(`${command}: ${r.message}`);
    return r;
  }
}

describe('extension: the browser bundle with the adapter inline', function () {
  this.timeout(30_000);

  it('runs a lab from a non-file workspace to a breakpoint in its .fault handler', async () => {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is built by npm run build`);
    const captured: Captured = {};
    const ext = loadBundle(vscodeStub(captured));
    const context = withFallback({ subscriptions: [] as unknown[], extensionUri: Uri.file(ROOT) });
    ext.activate(context);
    assert.ok(captured.factory, 'an inline adapter factory is registered');
    const labDir = path.join(ROOT, 'labs', '03-vmalloc-fault');
    const session = { workspaceFolder: { uri: Uri.from({ scheme: SCHEME, authority: AUTHORITY, path: path.join(ROOT, 'labs') }) } };
    const dap = new DapDriver(captured.factory.createDebugAdapterDescriptor(session).implementation);
    await dap.request('initialize', { adapterID: 'kmemlab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const launched = dap.request('launch', { lab: labDir });
    await dap.next((m) => m.event === 'initialized', 'initialized');
    const driverUri = `${SCHEME}://${AUTHORITY}${labDir}/lazy.c`;
    const line = fs.readFileSync(path.join(labDir, 'lazy.c'), 'utf8').split('\n').findIndex((l) => l.includes('page = vmalloc_to_page')) + 1;
    await dap.request('setBreakpoints', { source: { path: driverUri }, breakpoints: [{ line }] });
    await dap.request('configurationDone');
    await launched;
    const stop = await dap.next((m) => m.event === 'stopped', 'a stop');
    assert.equal(stop.body.reason, 'breakpoint');
    const frames = (await dap.request('stackTrace', { threadId: stop.body.threadId })).body.stackFrames;
    assert.equal(frames[0].name.replace(/\(.*$/, ''), 'lazy_fault [lazy]');
    assert.equal(frames[0].source.path, driverUri, 'paths go back to the client as workspace URIs');
    const vmas = (await dap.request('kmemlab/vmas')).body;
    assert.ok(vmas.tasks.some((t: { comm: string; vmas: { file: string }[] }) => t.comm === 'toucher' && t.vmas.some((v) => v.file === '/dev/lazy')));
    await dap.request('disconnect', {});
  });
});
