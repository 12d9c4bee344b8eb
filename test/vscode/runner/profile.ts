// One throw-away folder per run holds everything code-server and Chromium would otherwise write
// into the home directory, so runs never see each other's state.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunProfile {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  xdgConfigHome: string;
  xdgDataHome: string;
  xdgCacheHome: string;
  /** code-server's own config file, so a developer's ~/.config/code-server is never read. */
  codeServerConfig: string;
  codeServerLog: string;
}

/** Profiles still on disk; removed by an exit hook if the runner is stopped by a signal. */
const liveProfileRoots = new Set<string>();
let exitHookInstalled = false;

/** `keep`: leave it on disk for debugging, whatever happens. */
export function createRunProfile(keep: boolean): RunProfile {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmemlab-vscode-'));
  if (!keep) {
    trackForRemovalOnExit(root);
  }
  const profile: RunProfile = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    xdgConfigHome: path.join(root, 'xdg-config'),
    xdgDataHome: path.join(root, 'xdg-data'),
    xdgCacheHome: path.join(root, 'xdg-cache'),
    codeServerConfig: path.join(root, 'code-server.yaml'),
    codeServerLog: path.join(root, 'code-server.log'),
  };
  for (const dir of [profile.userDataDir, profile.extensionsDir, profile.xdgConfigHome, profile.xdgDataHome, profile.xdgCacheHome]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.writeFileSync(profile.codeServerConfig, 'auth: none\ncert: false\n');
  return profile;
}

export function removeRunProfile(profile: RunProfile): void {
  fs.rmSync(profile.root, { recursive: true, force: true, maxRetries: 3 });
  liveProfileRoots.delete(profile.root);
}

function trackForRemovalOnExit(root: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const dir of liveProfileRoots) {
        try {
          fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
        } catch {
          // A process killed a moment ago may still be writing; a leftover temp folder is harmless.
        }
      }
    });
  }
  liveProfileRoots.add(root);
}
