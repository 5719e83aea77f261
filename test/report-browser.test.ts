// Opens generated reports in headless Chromium (Debian's package, never a downloaded browser) from file://:
// charts drawn, vega-embed's interactive view live, no console error, no request beyond the file itself.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeCompareReport, writeRunReport } from '../reports/writeReport.ts';
import { writeSyntheticRun } from './report-syntheticRun.ts';

const CHROMIUM = '/usr/bin/chromium';
const ATTACK = '<script>alert(1)</script>';

interface Watched {
  errors: string[];
  foreignRequests: string[];
  dialogs: string[];
}

function watch(page: Page): Watched {
  const seen: Watched = { errors: [], foreignRequests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) seen.foreignRequests.push(r.url());
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  return seen;
}

describe('report in a browser', () => {
  let dir: string;
  let browser: Browser;
  let runReport: string;
  let compareReport: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does this`);
    dir = await mkdtemp(join(tmpdir(), 'soakgate-browser-'));
    await writeSyntheticRun(join(dir, 'naive'), { store: 'naive', samples: 900, scenario: `storm ${ATTACK}`, heapClassName: ATTACK });
    await writeSyntheticRun(join(dir, 'dedup'), { store: 'dedup', samples: 900 });
    runReport = await writeRunReport(join(dir, 'naive'));
    compareReport = await writeCompareReport([join(dir, 'naive'), join(dir, 'dedup')], join(dir, 'compare.html'), `compare ${ATTACK}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // One page per report, at a laptop's 1366 x 768: vega-embed drawing every chart of a 900-sample report is most of
  // this file's time, so the layout is read and the charts are checked on the page drawn once.
  for (const which of ['run', 'compare'] as const) {
    describe(`the ${which} report`, () => {
      let page: Page;
      let seen: Watched;
      let figures: number;

      before(async () => {
        page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
        seen = watch(page);
        await page.goto(pathToFileURL(which === 'run' ? runReport : compareReport).href);
        figures = await page.locator('figure').count();
        await page.waitForFunction((n) => document.querySelectorAll('.vega-embed').length === n && document.querySelectorAll('.static').length === 0, figures, { timeout: 30_000 });
      });
      after(async () => {
        await page?.close();
      });

      it('answers first and fits a laptop screen: the verdict lines, then a chart, then the tables, no sideways scroll at 1366 px', async () => {
        // A string, not a function: the test's TypeScript transform would name inner functions with a helper the page lacks.
        const layout = await page.evaluate(`(() => {
          const verdicts = [...document.querySelectorAll('.verdict')];
          const figure = document.querySelector('figure');
          const table = document.querySelector('table');
          const follows = Node.DOCUMENT_POSITION_FOLLOWING;
          const width = document.documentElement.clientWidth;
          return {
            scrollWidth: document.documentElement.scrollWidth,
            verdicts: verdicts.map((v) => v.textContent || ''),
            verdictBeforeChart: Boolean(verdicts.length && figure && verdicts[verdicts.length - 1].compareDocumentPosition(figure) & follows),
            chartBeforeTable: Boolean(figure && table && figure.compareDocumentPosition(table) & follows),
            tablesOutside: [...document.querySelectorAll('table')].filter((t) => t.getBoundingClientRect().right > width).length,
          };
        })()`) as { scrollWidth: number; verdicts: string[]; verdictBeforeChart: boolean; chartBeforeTable: boolean; tablesOutside: number };
        assert.ok(layout.scrollWidth <= 1366, `the page is ${layout.scrollWidth} px wide`);
        assert.equal(layout.tablesOutside, 0, 'every table fits the page without a scroll box');
        assert.equal(layout.verdicts.length, which === 'run' ? 1 : 2, 'one verdict line per target');
        assert.match(layout.verdicts[0], /^gateway-naive fail sessions\.json grows \+[\d.]+ [KM]iB\/min, over the [\d.]+ KiB\/min the baseline allows; /);
        assert.ok(layout.verdictBeforeChart, 'the verdict lines come before the first chart');
        assert.ok(layout.chartBeforeTable, 'the first chart comes before the first table');
      });

      it('draws every chart interactively, offline, without errors', async () => {
        assert.ok(figures >= 10, `${figures} charts`);
        const drawn = await page.$$eval('figure', (all) =>
          all.map((f) => ({ id: f.id, lines: f.querySelectorAll('.live svg .mark-line path').length, hidden: (f.querySelector('.live') as HTMLElement).hidden })),
        );
        for (const chart of drawn) {
          assert.ok(chart.lines > 0, `${chart.id} has drawn lines`);
          assert.equal(chart.hidden, false);
        }
        const rss = page.locator('#chart-rss .live svg');
        await rss.scrollIntoViewIfNeeded();
        const plot = await rss.boundingBox();
        assert.ok(plot);
        // vega-tooltip shows on pointer movement over a mark, so move a little until it answers.
        const tooltip = page.locator('#vg-tooltip-element.visible');
        for (let step = 0; step < 20 && !(await tooltip.isVisible()); step++) {
          await page.mouse.move(plot.x + plot.width * (0.4 + step * 0.01), plot.y + plot.height * 0.45, { steps: 3 });
          await page.waitForTimeout(100);
        }
        assert.ok(await tooltip.isVisible(), 'hovering the chart shows a tooltip');
        assert.match((await page.locator('#vg-tooltip-element').textContent()) ?? '', /minute/, 'the tooltip shows the hovered point');
        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.foreignRequests, []);
        assert.deepEqual(seen.dialogs, [], 'no injected script ran');
      });
    });
  }

  it('reads without JavaScript: the inline SVG charts are there', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(pathToFileURL(runReport).href);
      const figures = await page.locator('figure').count();
      assert.equal(await page.locator('figure .static svg .mark-line path').count() >= figures, true);
      assert.equal(await page.locator('.vega-embed').count(), 0);
      assert.match((await page.locator('h1').textContent()) ?? '', /storm <script>alert\(1\)<\/script>/, 'the name is shown as text');
      assert.deepEqual(seen.foreignRequests, []);
    } finally {
      await context.close();
    }
  });
});
