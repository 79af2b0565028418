/**
 * What every browser end-to-end test needs: the UI built, Debian's Chromium launched headless with
 * the project's flags, pages at 1280×800 in a chosen locale, and screenshots in tests/e2e/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const shots = join(root, 'tests/e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds ui/dist only when it is missing or older than the UI sources. */
export function buildUiIfStale(): void {
  const built = join(root, 'ui/dist/index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'ui'))) return;
  execFileSync('npm', ['run', '--silent', 'build:ui'], { cwd: root, stdio: 'inherit', timeout: 180_000 });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium fonts-wqy-microhei (or set CHROMIUM_PATH)`);
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.error('[browser error]', e.message));
  return { context, page };
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), animations: 'disabled', caret: 'hide' });
