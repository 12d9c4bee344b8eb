// Debian's Chromium, headless, driven by playwright-core (which cannot download its own browser
// here). playwright gives it a fresh profile folder of its own on every launch; the XDG folders
// keep its crash-report database out of the home directory too.
import { Browser, Page, chromium } from 'playwright-core';
import { RunProfile } from './profile';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORT = { width: 1280, height: 800 };

export async function launchChromium(executablePath: string, profile: RunProfile): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    env: { ...process.env, XDG_CONFIG_HOME: profile.xdgConfigHome, XDG_CACHE_HOME: profile.xdgCacheHome },
  });
}

export async function openBlankPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US' });
  return context.newPage();
}
