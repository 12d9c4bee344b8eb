// User settings that keep the workbench free of welcome pages, tips, update and AI prompts, so
// screenshots and visible-row reads see only what the extension under test shows.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const QUIET_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

/** Writes settings.json in a code-server user-data folder; `extra` wins over the quiet defaults. */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const settings = { ...QUIET_USER_SETTINGS, ...extra };
  fs.writeFileSync(path.join(userDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}
