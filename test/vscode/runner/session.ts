// One workbench session: a private profile, code-server, Chromium and a page, set up in order
// and always torn down in reverse, whatever happened in between.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { launchChromium, openBlankPage } from './browser';
import { RunningCodeServer, installVsix, startCodeServer } from './codeServer';
import { RunProfile, createRunProfile, removeRunProfile } from './profile';
import { writeTestHostExtension } from './testHostExtension';
import { ToolPaths, findToolPaths } from './toolPaths';
import { writeUserSettings } from './userSettings';
import { buildWorkbenchUrl } from './workbenchUrl';

export interface ExtensionUnderTest {
  /** Extension folder, loaded in development mode. */
  developmentDir?: string;
  /** Packaged extension, installed into the private extensions folder. */
  vsixFile?: string;
}

export interface SessionOptions {
  extension: ExtensionUnderTest;
  /** Folder opened as the workspace; an empty temporary one if undefined. */
  workspaceDir?: string;
  /** Where screenshots and row snapshots go; a folder inside the profile if undefined. */
  artifactsDir?: string;
  verbose: boolean;
  /** Leave the profile folder (logs, settings, user data) on disk for debugging. */
  keepProfile: boolean;
  log: (line: string) => void;
}

export interface WorkbenchSession {
  tools: ToolPaths;
  profile: RunProfile;
  server: RunningCodeServer;
  page: Page;
  artifactsDir: string;
  workspaceDir: string;
  /** URL that opens the workbench on the workspace, optionally running a compiled suite. */
  workbenchUrl(extensionTestsPath?: string): string;
}

export async function withWorkbenchSession<T>(
  options: SessionOptions,
  body: (session: WorkbenchSession) => Promise<T>,
): Promise<T> {
  checkInputsExist(options);
  const tools = findToolPaths();
  const profile = createRunProfile(options.keepProfile);
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  try {
    const artifactsDir = path.resolve(options.artifactsDir ?? path.join(profile.root, 'artifacts'));
    fs.mkdirSync(artifactsDir, { recursive: true });
    const workspaceDir = path.resolve(options.workspaceDir ?? makeEmptyWorkspace(profile));
    writeUserSettings(profile.userDataDir);
    const serverOptions = { tools, profile, artifactsDir, verbose: options.verbose };
    const developmentDir = await prepareExtension(options, serverOptions, profile);

    const startedMs = performance.now();
    server = await startCodeServer(serverOptions);
    options.log(`code-server up on ${server.origin} in ${elapsedS(startedMs)} s (profile ${profile.root})`);
    browser = await launchChromium(tools.chromiumBin, profile);
    const page = await openBlankPage(browser);
    const port = server.port;
    return await body({
      tools, profile, server, page, artifactsDir, workspaceDir,
      workbenchUrl: (extensionTestsPath) =>
        buildWorkbenchUrl({ port, workspaceDir, extensionDevelopmentPath: developmentDir, extensionTestsPath }),
    });
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (options.keepProfile) {
      options.log(`profile kept in ${profile.root}`);
    } else {
      removeRunProfile(profile);
    }
  }
}

async function prepareExtension(
  options: SessionOptions,
  serverOptions: Parameters<typeof installVsix>[0],
  profile: RunProfile,
): Promise<string | undefined> {
  const { developmentDir, vsixFile } = options.extension;
  if (vsixFile === undefined) {
    return developmentDir === undefined ? undefined : path.resolve(developmentDir);
  }
  const startedMs = performance.now();
  await installVsix(serverOptions, vsixFile);
  options.log(`installed ${vsixFile} in ${elapsedS(startedMs)} s`);
  return writeTestHostExtension(profile.root);
}

/** Fails before anything starts, with the path that is wrong. */
function checkInputsExist(options: SessionOptions): void {
  const { developmentDir, vsixFile } = options.extension;
  if (developmentDir !== undefined && !fs.existsSync(path.join(developmentDir, 'package.json'))) {
    throw new Error(`--extension ${developmentDir}: no package.json there`);
  }
  if (vsixFile !== undefined && !fs.statSync(vsixFile, { throwIfNoEntry: false })?.isFile()) {
    throw new Error(`--vsix ${vsixFile}: no such file (package it with vsce first)`);
  }
  if (options.workspaceDir !== undefined && !fs.statSync(options.workspaceDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--workspace ${options.workspaceDir}: no such folder`);
  }
}

function makeEmptyWorkspace(profile: RunProfile): string {
  const dir = path.join(profile.root, 'workspace');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function elapsedS(startedMs: number): string {
  return ((performance.now() - startedMs) / 1000).toFixed(1);
}
