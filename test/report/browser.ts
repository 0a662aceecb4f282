/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (DOM types: the page.evaluate callbacks run in the browser.)
// Opens report.html files in Debian's chromium (headless, software WebGL) and reads what they show.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser test cannot run here, or `undefined` when it must run (chromium present, or CI, where its absence fails). */
export function skipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return undefined;
  return `the report's browser test needs chromium at ${CHROMIUM} (apt-get install -y chromium); skipped outside CI`;
}

/** Headless chromium; with --disable-gpu, WebGL runs on SwiftShader. */
export function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`CI=true and no ${CHROMIUM}: the report's browser test must run in CI (.ci/run installs it: apt-get install -y chromium).`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', ...extraArgs] });
}

/** An opened report, with every console error, page error and request leaving the file system. */
export interface OpenedReport {
  readonly page: Page;
  readonly errors: string[];
  readonly external: string[];
}

/** Opens a report from the file system and waits for its 3D viewer's canvas (unless told not to). */
export async function openReport(browser: Browser, file: string, waitForViewer = true): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!/^(file|data|blob):/.test(request.url())) external.push(request.url());
  });
  await page.goto(pathToFileURL(file).href);
  if (waitForViewer) await page.locator('#viewer canvas').waitFor();
  return { page, errors, external };
}

/** Pixels of the viewer that are not the white background, and those in the pose colours (orange). */
export async function viewerPixels(page: Page): Promise<{ drawn: number; pose: number; total: number }> {
  await page.waitForTimeout(200); // let the viewer's render land
  const png = (await page.locator('#viewer canvas').screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let [drawn, pose] = [0, 0];
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      if (r < 245 || g < 245 || b < 245) drawn++;
      if (r - b > 60 && r - g > 25) pose++;
    }
    return { drawn, pose, total: pixels.length / 4 };
  }, png);
}
