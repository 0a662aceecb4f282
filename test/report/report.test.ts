/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the page.evaluate callbacks run in the browser.)
// report.html of a real `posepool train` and `posepool evaluate` run, opened from the file system
// in headless chromium: the viewer draws the poses, the numbers shown are those of metrics.json
// and predictions.csv, nothing is fetched from outside, and the console stays free of errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin } from '../cli/bin.js';
import { launch, openReport, skipReason, viewerPixels } from './browser.js';

interface Interval {
  value: number | null;
  low: number | null;
  high: number | null;
}
type Group = { n: number } & Record<string, Interval>;
const METRICS = ['mae', 'rmse', 'pearson', 'spearman', 'kendall'];
const fixed = (v: number | null, digits = 2): string => (v === null ? '—' : v.toFixed(digits));
const shown = (m: Interval): string => `${fixed(m.value)} [${fixed(m.low)}, ${fixed(m.high)}]`;

/** The groups of metrics a report must show, by the label it gives them. */
function groups(pairs: Array<[string, { pooled: Group; folders: Record<string, Group> }]>): Map<string, Group> {
  return new Map(pairs.flatMap(([prefix, g]) => [[`${prefix} / pooled`, g.pooled] as const, ...Object.entries(g.folders).map(([f, m]) => [`${prefix} / folders / ${f}`, m] as const)]));
}

/** The metrics table as shown: per group label, `n` and each metric cell's text. */
function metricsShown(page: Page): Promise<Array<{ group: string; n: string; cells: Record<string, string> }>> {
  return page.$$eval('#metrics-table tbody tr', (rows) =>
    rows.map((tr) => ({
      group: (tr as HTMLElement).dataset.group!,
      n: tr.children[1]!.textContent!,
      cells: Object.fromEntries([...tr.querySelectorAll<HTMLElement>('td[data-metric]')].map((td) => [td.dataset.metric!, td.textContent!])),
    })),
  );
}

function expectMetrics(rows: Awaited<ReturnType<typeof metricsShown>>, expected: Map<string, Group>): void {
  expect(rows.map((r) => r.group).sort()).toEqual([...expected.keys()].sort());
  for (const row of rows) {
    const group = expected.get(row.group)!;
    expect(row.n).toBe(String(group.n));
    for (const name of METRICS) expect(row.cells[name], `${row.group} ${name}`).toBe(shown(group[name]!));
  }
}

/** predictions.csv: one record per pose. */
async function readPredictions(file: string): Promise<Array<Record<string, string>>> {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, k) => [names[k]!, v])));
}

/** The rows of a table as shown, keyed by its header texts. */
function tableShown(page: Page, selector: string): Promise<Array<Record<string, string>>> {
  return page.$eval(selector, (table) => {
    const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent!);
    return [...table.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries([...tr.children].map((td, k) => [names[k]!, td.textContent!])));
  });
}

const reason = skipReason();
if (reason !== undefined) console.warn(`skipped: ${reason}`);

describe.skipIf(reason !== undefined)('report.html in a real browser', () => {
  let dir: string;
  let browser: Browser;
  const run = (...names: string[]) => join(dir, 'run', ...names);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posepool-report-'));
    await writeFile(join(dir, 'tiny.yaml'), TINY_CONFIG);
    const trained = await runBin(['train', TYK2, '-c', join(dir, 'tiny.yaml'), '-o', run()]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toContain(`report: ${run('report.html')}`);
    const evaluated = await runBin(['evaluate', run(), '--split', 'test', '--baseline', 'vina_score']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("shows a training run's metrics, compounds and poses as computed, and draws the pocket and the poses coloured by weight", async () => {
    const { page, errors, external } = await openReport(browser, run('report.html'));
    const metrics = JSON.parse(await readFile(run('metrics.json'), 'utf8')) as { bestEpoch: number; splits: Record<string, { pooled: Group; folders: Record<string, Group> }> };
    expectMetrics(await metricsShown(page), groups(Object.entries(metrics.splits).map(([s, g]) => [`splits / ${s}`, g])));
    expect(await page.locator('#metrics .facts').textContent()).toContain(`bestEpoch${metrics.bestEpoch}`);
    expect(await page.locator('#plots img').evaluateAll((images) => images.map((i) => (i as HTMLImageElement).naturalWidth > 0 && i.getAttribute('alt')))).toEqual([
      'learning-curves.svg',
      'parity-test.svg',
      'parity-train.svg',
      'parity-validation.svg',
    ]);

    const poses = await readPredictions(run('predictions.csv'));
    const ids = [...new Set(poses.map((p) => p.id!))];
    const compounds = await tableShown(page, '#compound-table');
    expect(compounds.map((c) => c.id)).toEqual(ids);
    for (const c of compounds) {
      const first = poses.find((p) => p.id === c.id)!;
      expect([c.split, c['y'], c['ŷ'], c.poses]).toEqual([first.split, fixed(Number(first.measured)), fixed(Number(first.predicted)), String(poses.filter((p) => p.id === c.id).length)]);
    }

    // Sorting by a column header orders the compounds by it.
    await page.locator('#compound-table th', { hasText: 'ŷ − y' }).click();
    const errorsShown = (await tableShown(page, '#compound-table')).map((c) => Number(c['ŷ − y']));
    expect(errorsShown).toEqual([...errorsShown].sort((a, b) => a - b));
    expect(errorsShown).toHaveLength(ids.length);

    // The first compound is open on load; pick another and check its pose table and facts.
    const before = await viewerPixels(page);
    expect(before.drawn).toBeGreaterThan(before.total * 0.02);
    expect(before.pose).toBeGreaterThan(200);
    const picked = ids[4]!;
    await page.locator(`#compound-table tr[data-id="${picked}"]`).click();
    expect(await page.locator('#compound-title').textContent()).toBe(picked);
    const rows = poses.filter((p) => p.id === picked);
    const facts = await page.locator('#compound-facts').textContent();
    expect(facts).toContain(`measured y${fixed(Number(rows[0]!.measured))}`);
    expect(facts).toContain(`combined ŷ${fixed(Number(rows[0]!.predicted))}`);
    const table = await tableShown(page, '#pose-table');
    expect(table.map((r) => [r.pose, r['ŷ_i'], r['w_i']])).toEqual(rows.map((p) => [p.pose, fixed(Number(p.pose_prediction)), fixed(Number(p.pose_weight), 3)]));
    expect(table.every((r) => r.vina_score !== undefined && r.rmsd_to_reference !== undefined)).toBe(true);
    const after = await viewerPixels(page);
    expect(after.pose).toBeGreaterThan(200);

    // Hiding every pose leaves no pose colour (nor pocket) on the canvas: the orange was the poses.
    const boxes = page.locator('#pose-table input[type=checkbox]');
    for (let k = 0; k < (await boxes.count()); k++) await boxes.nth(k).uncheck();
    expect((await viewerPixels(page)).pose).toBe(0);
    await boxes.nth(0).check();
    expect((await viewerPixels(page)).pose).toBeGreaterThan(50);

    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it("shows an evaluation's metrics with its docking-score baseline", async () => {
    const out = run('evaluation');
    const { page, errors, external } = await openReport(browser, join(out, 'report.html'));
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as { model: { pooled: Group; folders: Record<string, Group> }; baseline: { tag: string; pooled: Group; folders: Record<string, Group> } };
    expectMetrics(await metricsShown(page), groups([['model', metrics.model], ['baseline', metrics.baseline]]));
    expect(await page.locator('#metrics .facts').textContent()).toContain('baseline / tagvina_score');
    expect(await page.locator('#compound-table tbody tr').count()).toBe(metrics.model.pooled.n);
    const { pose } = await viewerPixels(page);
    expect(pose).toBeGreaterThan(200);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('says so where WebGL is off, and still shows the numbers', async () => {
    const noWebgl = await launch(['--disable-webgl', '--disable-3d-apis']);
    try {
      const { page, errors } = await openReport(noWebgl, run('report.html'), false);
      await expect.poll(() => page.locator('#viewer-note').textContent()).toMatch(/^No 3D view: this browser has WebGL turned off/);
      expect(await page.locator('#pose-table tbody tr').count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await noWebgl.close();
    }
  });
});
