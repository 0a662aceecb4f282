/** A metric's value and interval as read from `metrics.json` (`null` where JSON holds NaN). */
export interface IntervalCell {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** One row of the metrics table: a group of metrics with intervals, such as `splits / test / pooled`. */
export interface MetricsRow {
  /** The keys leading to the group in `metrics.json`, joined with ` / `. */
  readonly label: string;
  /** The group's `n` (compounds), when it has one. */
  readonly n: number | null;
  /** By metric name; a metric the group lacks is absent. */
  readonly cells: Readonly<Record<string, IntervalCell>>;
}

/** The metrics of a `metrics.json`, as a table, with every other value listed beside it. */
export interface MetricsTable {
  /** Metric names, in the order first met. */
  readonly columns: readonly string[];
  readonly rows: readonly MetricsRow[];
  /** Values outside any metric group (e.g. `bestEpoch`, `baseline / tag`), by their key path. */
  readonly facts: ReadonlyArray<{ readonly label: string; readonly value: string }>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';
const isInterval = (v: unknown): v is IntervalCell => isRecord(v) && isNumberOrNull(v.value) && isNumberOrNull(v.low) && isNumberOrNull(v.high);

/**
 * Reads any `metrics.json` (a run's, an evaluation's, or one with metrics added later) into a
 * table: every object holding `{ value, low, high }` members is a row, named by its key path, and
 * each such member a column; other values become facts.
 *
 * @param metrics - the parsed `metrics.json`
 * @returns columns, rows and facts, in the file's order
 * @example
 * ```ts
 * const table = metricsTable(JSON.parse(await readFile('runs/a/metrics.json', 'utf8')));
 * table.rows.find((r) => r.label === 'splits / test / pooled')?.cells.rmse?.value;
 * ```
 */
export function metricsTable(metrics: unknown): MetricsTable {
  const columns: string[] = [];
  const rows: MetricsRow[] = [];
  const facts: Array<{ label: string; value: string }> = [];
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, k) => walk(item, [...path, String(k)]));
      return;
    }
    if (!isRecord(node)) {
      facts.push({ label: path.join(' / '), value: String(node) });
      return;
    }
    const intervals = Object.entries(node).filter((e): e is [string, IntervalCell] => isInterval(e[1]));
    if (intervals.length > 0) {
      for (const [name] of intervals) if (!columns.includes(name)) columns.push(name);
      const n = typeof node.n === 'number' ? node.n : null;
      rows.push({ label: path.join(' / '), n, cells: Object.fromEntries(intervals.map(([name, v]) => [name, { value: v.value, low: v.low, high: v.high }])) });
    }
    for (const [key, value] of Object.entries(node)) if (!isInterval(value) && !(key === 'n' && intervals.length > 0)) walk(value, [...path, key]);
  };
  walk(metrics, []);
  return { columns, rows, facts };
}
