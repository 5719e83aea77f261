// `npm run bench:screenshot -- REPORT.html OUT.png [--width 1366] [--height 1100]`: the top of a report as the
// README shows it, in Debian's Chromium, offline. docs/report.png is the report of the README's first command
// (runs/compare-ci-gate-.../report.html); docs/openclaw-report.png comes through `bench:openclaw --screenshot`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

export interface Viewport {
  width: number;
  height: number;
}

/** Opens `report` from file://, waits for its first chart and saves the viewport's picture to `file`. */
export async function screenshot(report: string, file: string, viewport: Viewport): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport });
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('svg', { timeout: 30_000 });
    await page.screenshot({ path: file });
    console.log(`- report picture: ${file}`);
  } finally {
    await browser.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    options: { width: { type: 'string', default: '1366' }, height: { type: 'string', default: '1100' } },
    allowPositionals: true,
  });
  if (positionals.length !== 2) {
    console.error('usage: npm run bench:screenshot -- REPORT.html OUT.png [--width 1366] [--height 1100]');
    process.exit(2);
  }
  await screenshot(resolve(positionals[0]), resolve(positionals[1]), { width: Number(values.width), height: Number(values.height) });
}
