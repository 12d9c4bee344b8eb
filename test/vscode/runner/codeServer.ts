// Starts code-server (a real VS Code workbench served over HTTP) on a loopback port, in its own
// process group, with every folder it writes to inside the run profile.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findFreeLoopbackPort } from './freePort';
import { killProcessGroup, trackProcessGroup } from './processGroup';
import { RunProfile } from './profile';
import { ToolPaths } from './toolPaths';
import { ARTIFACTS_DIR_ENV } from './protocol';

const HEALTH_POLL_INTERVAL_MS = 100;
const START_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;
const INSTALL_TIMEOUT_MS = 120_000;

export interface CodeServerOptions {
  tools: ToolPaths;
  profile: RunProfile;
  /** Handed to the extension host so the suite's bridge can find the runner's answers. */
  artifactsDir: string;
  /** Echo code-server's own output to stderr as well as to its log file. */
  verbose: boolean;
}

export interface RunningCodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  stop(): Promise<void>;
}

/** Starts code-server and resolves once /healthz answers; retries on a new port if the first was taken. */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await findFreeLoopbackPort();
    const child = spawnCodeServer(options, ['--bind-addr', `127.0.0.1:${port}`, ...serverFlags(options.profile)]);
    try {
      await waitUntilHealthy(port, child, options.profile.codeServerLog);
      return { port, origin: `http://127.0.0.1:${port}`, stop: () => killProcessGroup(child) };
    } catch (error) {
      lastError = error;
      await killProcessGroup(child);
    }
  }
  throw lastError;
}

/** Installs a packaged extension into the run's private extensions folder. */
export async function installVsix(options: CodeServerOptions, vsixFile: string): Promise<void> {
  const child = spawnCodeServer(options, [
    ...profileFlags(options.profile),
    '--install-extension', path.resolve(vsixFile), '--force',
  ]);
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), INSTALL_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  await killProcessGroup(child);
  if (exitCode !== 0) {
    throw new Error(`code-server --install-extension ${vsixFile} ${exitCode === null ? 'timed out' : `exited ${exitCode}`}; ` +
      `see ${options.profile.codeServerLog}\n${tailOfFile(options.profile.codeServerLog)}`);
  }
}

function profileFlags(profile: RunProfile): string[] {
  return ['--config', profile.codeServerConfig, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
}

function serverFlags(profile: RunProfile): string[] {
  return [
    ...profileFlags(profile),
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    // Without this the workbench silently ignores the extensionTestsPath payload.
    '--vscode-option', 'enable-smoke-test-driver',
  ];
}

function spawnCodeServer(options: CodeServerOptions, args: string[]): ChildProcess {
  const { tools, profile } = options;
  const logFd = fs.openSync(profile.codeServerLog, 'a');
  const child = spawn(tools.nodeBin, [tools.codeServerEntry, ...args], {
    // detached: the child calls setsid(), so it leads its own process group (see processGroup.ts).
    detached: true,
    stdio: ['ignore', options.verbose ? 'pipe' : logFd, options.verbose ? 'pipe' : logFd],
    env: codeServerEnv(options),
  });
  fs.closeSync(logFd);
  trackProcessGroup(child);
  if (options.verbose) {
    const log = fs.createWriteStream(profile.codeServerLog, { flags: 'a' });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        process.stderr.write(`[code-server] ${chunk.toString()}`);
      });
    }
  }
  return child;
}

function codeServerEnv(options: CodeServerOptions): NodeJS.ProcessEnv {
  const { tools, profile } = options;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.dirname(tools.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: profile.xdgConfigHome,
    XDG_DATA_HOME: profile.xdgDataHome,
    XDG_CACHE_HOME: profile.xdgCacheHome,
    [ARTIFACTS_DIR_ENV]: options.artifactsDir,
  };
  // Settings meant for the runner's own Node must not reach code-server's Node 24.
  delete env.NODE_OPTIONS;
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI;
  return env;
}

async function waitUntilHealthy(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadlineMs = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadlineMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before answering /healthz; ` +
        `see ${logFile}\n${tailOfFile(logFile)}`);
    }
    if (await answersHealthz(port)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_INTERVAL_MS));
  }
  throw new Error(`code-server did not answer http://127.0.0.1:${port}/healthz within ${START_TIMEOUT_MS} ms; ` +
    `see ${logFile}\n${tailOfFile(logFile)}`);
}

async function answersHealthz(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export function tailOfFile(file: string, lineCount = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lineCount).join('\n');
  } catch {
    return '';
  }
}
