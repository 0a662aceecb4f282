// Screenshot of a run's report.html as opened from the file system in headless chromium (the
// browser the report's test uses), saved as bench/results/report-screenshot.png. Run:
// pnpm posepool train DATA... -o runs/a && pnpm --filter @posepool/bench run report-screenshot runs/a
// The committed one: the default config on ../shared/data/p38 and ../shared/data/ptp1b.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const run = process.argv[2];
if (run === undefined) throw new Error('usage: report-screenshot RUN_DIR (a directory with report.html)');
const report = join(resolve(process.env.INIT_CWD ?? process.cwd(), run), 'report.html');
if (!existsSync(report)) throw new Error(`${report}: no such file. Give the --out of a finished 'posepool train'.`);
const out = fileURLToPath(new URL('results/report-screenshot.png', import.meta.url));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(pathToFileURL(report).href);
  await page.locator('#viewer canvas').waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
