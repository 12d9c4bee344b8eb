// code-server leaves file-watcher and extension-host children behind if only its main process
// is killed, so it runs as the leader of its own process group and the whole group is ended.
import { ChildProcess } from 'node:child_process';

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Remembers a detached child's group so it is killed even if the runner dies unexpectedly. */
export function trackProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined) {
    return;
  }
  liveGroups.add(child.pid);
  installExitHook();
}

/** SIGTERM to the group, then SIGKILL after a grace period if its leader has not exited. */
export async function killProcessGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const groupId = child.pid;
  if (groupId === undefined || !liveGroups.has(groupId)) {
    return;
  }
  signalGroup(groupId, 'SIGTERM');
  const exited = await waitForExit(child, graceMs);
  // Children may outlive the leader; a final SIGKILL to the group ends them too.
  signalGroup(groupId, 'SIGKILL');
  if (!exited) {
    await waitForExit(child, graceMs);
  }
  liveGroups.delete(groupId);
}

function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const groupId of liveGroups) {
      signalGroup(groupId, 'SIGKILL');
    }
  });
}
