import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { DatasetEntry } from '../data/dataset.js';
import { writeFileAtomic } from '../run/atomic.js';
import { RUN_FILES } from '../run/run-directory.js';
import { reportHtml } from './html.js';
import { readReportData } from './report-data.js';

// 3Dmol.js: maintained, BSD-licensed, one 0.5 MB browser bundle that reads XYZ and draws sticks
// with WebGL; Mol* (several MB) and NGL (over 1 MB) would weigh down every report for no gain here.
const VIEWER_BUNDLE = '3dmol/build/3Dmol-min.js';
const VIEWER_LICENSE = '3dmol/LICENSE';

/**
 * Writes `report.html` into a run, evaluation or cross-validation directory, from the files
 * already there (`metrics.json`, `predictions.csv`, `plots/*.svg`, `config.yaml`) and the
 * compounds' structures: one self-contained page (it works offline from the file system) with
 * the metrics and their intervals, the plots, and per compound a 3D view of the pocket and the
 * poses, each coloured by its weight w_i, beside ŷ_i, the combined ŷ and the measured value.
 * Written atomically.
 *
 * @param dir - the directory (its `metrics.json` and `predictions.csv` must exist)
 * @param entries - the compounds the predictions were made for, for their structures
 * @param title - the page title, e.g. `tyk2 · training run`
 * @returns the report's path
 * @throws PosePoolError `E_RUN_DIR` when `metrics.json` or `predictions.csv` is missing or malformed
 * @example
 * ```ts
 * await writeReport('runs/tyk2', dataset.entries, 'tyk2 · training run'); // runs/tyk2/report.html
 * ```
 */
export async function writeReport(dir: string, entries: readonly DatasetEntry[], title: string): Promise<string> {
  const data = await readReportData(dir, entries, title);
  const require = createRequire(import.meta.url);
  // The report redistributes 3Dmol.js, so it carries its licence.
  const [bundle, license] = await Promise.all([VIEWER_BUNDLE, VIEWER_LICENSE].map((name) => readFile(require.resolve(name), 'utf8')));
  const viewer = `/*\n${license!.replace(/\*\//g, '* /')}*/\n${bundle}`;
  const file = join(dir, RUN_FILES.report);
  await writeFileAtomic(file, reportHtml(data, viewer));
  return file;
}
