import { PAGE_SCRIPT } from './page-script.js';
import type { IntervalCell } from './metrics-table.js';
import type { ReportData } from './report-data.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
const fmt = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const interval = (c: IntervalCell | undefined): string => (c === undefined ? '' : `${fmt(c.value)} <span class="ci">[${fmt(c.low)}, ${fmt(c.high)}]</span>`);

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 0; background: #f5f6f8; }
header { background: #1d2330; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
header p { margin: 4px 0 0; color: #b9c0cc; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 16px 20px; margin-top: 16px; }
h2 { font-size: 17px; margin: 0 0 10px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid #e6e8ec; white-space: nowrap; }
th { font-weight: 600; color: #4a5263; background: #fafbfc; }
.list th, .pose-scroll th { position: sticky; top: 0; }
#compound-table th { cursor: pointer; user-select: none; }
td.num { text-align: right; }
.ci { color: #7a8294; }
.note { color: #6a7284; font-size: 12px; margin: 8px 0 0; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 10px; }
.fact .name { color: #6a7284; margin-right: 6px; }
.fact .value { font-weight: 600; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 600px), 1fr)); gap: 16px 28px; align-items: end; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #6a7284; font-size: 12px; text-align: center; }
.explorer { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 20px; align-items: start; }
.list { max-height: 720px; overflow: auto; }
.list input { width: 100%; box-sizing: border-box; padding: 6px 8px; margin-bottom: 6px; border: 1px solid #cfd4dc; border-radius: 4px; }
#compound-table tbody tr { cursor: pointer; }
#compound-table tbody tr:hover { background: #f1f4fa; }
#compound-table tbody tr.selected { background: #fde9d6; }
#compound-title { margin: 0 0 6px; font-size: 16px; }
#viewer { position: relative; width: 100%; height: 480px; border: 1px solid #e6e8ec; border-radius: 6px; }
#viewer-note { color: #a04000; }
#legend { margin: 8px 0; color: #4a5263; font-size: 12px; display: flex; align-items: center; white-space: pre; }
.ramp { display: inline-block; width: 140px; height: 10px; border-radius: 3px; }
tr.top td { font-weight: 600; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: middle; }
.pose-scroll { max-height: 300px; overflow: auto; }
details pre { background: #f5f6f8; padding: 10px; overflow: auto; }
`;

function metricsSection(data: ReportData): string {
  const { columns, rows, facts } = data.metrics;
  const head = `<tr><th>group</th><th>n</th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr data-group="${escapeHtml(r.label)}"><td>${escapeHtml(r.label)}</td><td class="num">${r.n ?? ''}</td>${columns.map((c) => `<td class="num" data-metric="${escapeHtml(c)}">${interval(r.cells[c])}</td>`).join('')}</tr>`)
    .join('\n');
  const factList = facts.map((f) => `<div class="fact"><span class="name">${escapeHtml(f.label)}</span><span class="value">${escapeHtml(f.value)}</span></div>`).join('');
  return `<section id="metrics"><h2>Metrics</h2>
<div class="facts">${factList}</div>
<table id="metrics-table"><thead>${head}</thead><tbody>
${body}
</tbody></table>
<p class="note">Each metric: value [95 % bootstrap interval]; n: compounds with a measurement. From metrics.json.</p></section>`;
}

function plotsSection(data: ReportData): string {
  if (data.plots.length === 0) return '';
  const figures = data.plots.map((p) => `<figure><img alt="${escapeHtml(p.name)}" src="data:image/svg+xml;base64,${Buffer.from(p.svg).toString('base64')}"><figcaption>${escapeHtml(p.name)}</figcaption></figure>`);
  return `<section id="plots"><h2>Plots</h2><div class="plots">${figures.join('\n')}</div></section>`;
}

function compoundsSection(data: ReportData): string {
  const withSplit = data.compounds.some((c) => c.split !== null);
  const withFolder = new Set(data.compounds.map((c) => c.folder)).size > 1;
  const extra = Object.keys(data.compounds[0]?.columns ?? {});
  const head = `<tr>${withFolder ? '<th>folder</th>' : ''}<th>id</th>${withSplit ? '<th>split</th>' : ''}<th>y</th><th>ŷ</th><th>ŷ − y</th><th>poses</th>${extra.map((name) => `<th>${escapeHtml(name)}</th>`).join('')}</tr>`;
  const body = data.compounds
    .map((c, k) => {
      const error = c.measured === null ? null : c.predicted - c.measured;
      const cells = [...(withFolder ? [escapeHtml(c.folder)] : []), escapeHtml(c.id), ...(withSplit ? [escapeHtml(c.split ?? '')] : [])].map((t) => `<td>${t}</td>`);
      const numbers = [fmt(c.measured), fmt(c.predicted), fmt(error), String(c.poses.length), ...extra.map((name) => escapeHtml(c.columns[name] ?? ''))].map((t) => `<td class="num">${t}</td>`);
      return `<tr tabindex="0" data-index="${k}" data-folder="${escapeHtml(c.folder)}" data-id="${escapeHtml(c.id)}">${[...cells, ...numbers].join('')}</tr>`;
    })
    .join('\n');
  return `<section id="compounds"><h2>Compounds and their poses</h2>
<div class="explorer">
<div class="list"><input id="compound-filter" type="search" placeholder="Filter compounds…" aria-label="Filter compounds">
<table id="compound-table"><thead>${head}</thead><tbody>
${body}
</tbody></table></div>
<div class="detail"><h3 id="compound-title"></h3><div class="facts" id="compound-facts"></div>
<div id="viewer"></div><div id="viewer-note"></div><div id="legend"></div>
<div class="pose-scroll"><table id="pose-table"></table></div>
<p class="note">y: measured; ŷ: the combined prediction h(ŷ_1, …, ŷ_N), after the model's readout if it has one; ŷ_i: pose i's prediction as the combination takes it (before any readout, e.g. ΔG where ŷ is pK); w_i = ∂h/∂ŷ_i, its weight in ŷ (bold: the largest). Atoms as the model saw them (pocket crop, no hydrogens unless kept); bonds drawn from distances.</p>
</div></div></section>`;
}

/**
 * The report as one HTML document with everything inline: styles, plots, data and scripts.
 *
 * @param data - what to show (see {@link readReportData})
 * @param viewerScript - the 3D viewer's browser bundle (3Dmol.js), inlined
 * @returns the HTML text
 * @example
 * ```ts
 * const html = reportHtml(await readReportData('runs/a', entries, 'run a'), await readFile(viewerBundle, 'utf8'));
 * ```
 */
export function reportHtml(data: ReportData, viewerScript: string): string {
  const compounds = data.compounds.map(({ structures, ...c }) => ({ ...c, hasStructures: structures !== null }));
  const poses = data.compounds.reduce((n, c) => n + c.poses.length, 0);
  const inline = [
    `<script type="application/json" id="report-data">${scriptJson({ compounds })}</script>`,
    ...data.pockets.map((p, k) => `<script type="application/json" id="pocket-${k}">${scriptJson(p)}</script>`),
    ...data.compounds.flatMap((c, k) => (c.structures === null ? [] : [`<script type="application/json" id="structures-${k}">${scriptJson(c.structures)}</script>`])),
  ];
  const config = data.config === null ? '' : `<section><details><summary>config.yaml</summary><pre>${escapeHtml(data.config)}</pre></details></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(data.title)}</h1><p>${data.compounds.length} compounds, ${poses} poses · PosePool report</p></header>
<main>
${metricsSection(data)}
${plotsSection(data)}
${compoundsSection(data)}
${config}
</main>
${inline.join('\n')}
<script>${viewerScript.replace(/<\/script/gi, '<\\/script')}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
