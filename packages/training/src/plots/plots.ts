import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { EpochRecord } from '../train/checkpoint.js';

/**
 * Renders a Vega-Lite spec to a standalone SVG string, headless (no canvas, no DOM).
 *
 * @param spec - a Vega-Lite spec
 * @returns the SVG text
 * @example
 * ```ts
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } });
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One point of a parity plot. */
export interface ParityPoint {
  readonly measured: number;
  readonly predicted: number;
  /** Colours the points (e.g. the folder). */
  readonly group: string;
  readonly id: string;
}

/**
 * Predicted against measured values with the identity line, both axes on the same range.
 *
 * @param points - the compounds
 * @param title - the title (put the metrics here)
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * await renderSvg(paritySpec(points, 'test: RMSE 0.61'));
 * ```
 */
export function paritySpec(points: readonly ParityPoint[], title: string | string[]): TopLevelSpec {
  const values = points.flatMap((p) => [p.measured, p.predicted]);
  const pad = 0.05 * (Math.max(...values) - Math.min(...values) || 1);
  const domain = [Math.min(...values) - pad, Math.max(...values) + pad];
  const axis = (field: string, label: string) => ({ field, type: 'quantitative' as const, title: label, scale: { domain, zero: false } });
  return {
    title: { text: title },
    width: 360,
    height: 360,
    layer: [
      { data: { values: domain.map((v) => ({ v })) }, mark: { type: 'line', color: 'gray', strokeDash: [4, 4] }, encoding: { x: axis('v', 'measured'), y: axis('v', 'predicted') } },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'point', filled: true, size: 50 },
        encoding: { x: axis('measured', 'measured'), y: axis('predicted', 'predicted'), color: { field: 'group', type: 'nominal', title: null }, tooltip: [{ field: 'id' }] },
      },
    ],
  };
}

/**
 * Training and validation loss per epoch (log scale).
 *
 * @param history - the run's epochs
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * await renderSvg(learningCurveSpec(history));
 * ```
 */
export function learningCurveSpec(history: readonly EpochRecord[]): TopLevelSpec {
  const values = history.flatMap((r) => [
    { epoch: r.epoch, split: 'train', loss: r.trainLoss },
    ...(r.validationLoss === null ? [] : [{ epoch: r.epoch, split: 'validation', loss: r.validationLoss }]),
  ]);
  return {
    title: 'Learning curves',
    width: 420,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss (mean squared error)' },
      color: { field: 'split', type: 'nominal' },
    },
  };
}
