// What a person does with the workbench, done through the page: wait for it, run commands from
// the palette, look at it (screenshot) and read the rows of its lists and trees.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { VisibleRow } from './protocol';

const WORKBENCH_TIMEOUT_MS = 60_000;
const PALETTE_MATCH_TIMEOUT_MS = 10_000;
/** Time for views to render after a command or request; the workbench has no "idle" signal. */
export const DEFAULT_SETTLE_MS = 750;

/** Resolves once the workbench shell and its status bar are on screen. */
export async function waitForWorkbench(page: Page, timeoutMs = WORKBENCH_TIMEOUT_MS): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { state: 'visible', timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { state: 'visible', timeout: timeoutMs });
}

/**
 * Runs a command by its palette label (e.g. 'View: Toggle Terminal'): F1, type, wait until a row
 * whose text contains the label is shown, Enter. Fails, listing what the palette offered, if none is.
 */
export async function runPaletteCommand(page: Page, label: string, settleMs = DEFAULT_SETTLE_MS): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: PALETTE_MATCH_TIMEOUT_MS });
  await input.fill(`>${label}`);
  const match = widget.locator('.monaco-list-row', { hasText: label }).first();
  try {
    await match.waitFor({ state: 'visible', timeout: PALETTE_MATCH_TIMEOUT_MS });
  } catch {
    const offered = await widget.locator('.monaco-list-row').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`command palette has no entry '${label}'; it offered: ${JSON.stringify(offered.slice(0, 10))}`);
  }
  await match.click();
  await widget.waitFor({ state: 'hidden', timeout: PALETTE_MATCH_TIMEOUT_MS }).catch(() => undefined);
  await page.waitForTimeout(settleMs);
}

/**
 * Drags the sash on the side bar's right edge until the side bar is `widthPx` wide (within the
 * workbench's limits); resolves to the width it ended at.
 */
export async function setSideBarWidth(page: Page, widthPx: number): Promise<number> {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  if (box === null) {
    throw new Error('the side bar is not visible');
  }
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width, y);
  await page.mouse.down();
  await page.mouse.move(box.x + widthPx, y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(DEFAULT_SETTLE_MS);
  return Math.round((await sidebar.boundingBox())?.width ?? 0);
}

/** Saves a PNG of the page; written under a temporary name and renamed so readers never see half a file. */
export async function saveScreenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await page.screenshot({ path: partial, type: 'png', animations: 'disabled', caret: 'hide' });
  fs.renameSync(partial, file);
}

/** Writes JSON atomically (same reason as saveScreenshot). */
export function writeJsonAtomically(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(partial, file);
}

/** The structural slice of a DOM element the row reader needs (the project compiles without DOM types). */
interface RowElement {
  getAttribute(name: string): string | null;
  closest(selector: string): RowElement | null;
  querySelector(selector: string): RowElement | null;
  checkVisibility(): boolean;
  readonly innerText: string;
  readonly classList: { contains(name: string): boolean };
}

/** Rows of every list and tree currently visible (not scrolled away, not in a hidden view). */
export async function readVisibleRows(page: Page): Promise<VisibleRow[]> {
  return page.$$eval('.monaco-list-row', (elements) => {
    const collapse = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
    const viewTitleOf = (row: RowElement): string => {
      const pane = row.closest('.pane');
      const paneTitle = pane?.querySelector('.pane-header .title');
      if (paneTitle) {
        return collapse(paneTitle.innerText);
      }
      if (row.closest('.quick-input-widget')) {
        return 'Quick Input';
      }
      const compositeTitle = row.closest('.part')?.querySelector('.composite.title .title-label');
      return collapse(compositeTitle?.innerText);
    };
    return (elements as unknown as RowElement[])
      .filter((row) => row.checkVisibility())
      .map((row) => {
        const expanded = row.getAttribute('aria-expanded');
        return {
          label: collapse(row.getAttribute('aria-label')),
          text: collapse(row.innerText),
          level: Number(row.getAttribute('aria-level') ?? 0),
          expanded: expanded === null ? undefined : expanded === 'true',
          selected: row.getAttribute('aria-selected') === 'true' || row.classList.contains('selected'),
          focused: row.classList.contains('focused'),
          view: viewTitleOf(row),
        };
      });
  });
}
