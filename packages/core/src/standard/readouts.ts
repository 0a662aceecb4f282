import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { Module } from '../nn/module.js';
import { parseOptions } from '../registry/options.js';
import type { Readout } from '../components/readout.js';

/**
 * pKi readout: ΔG in kT → pKi = −ΔG / ln 10.
 *
 * @example
 * ```ts
 * new PKiReadout().apply(tf.scalar(-16.1)); // ≈ 7
 * ```
 */
export class PKiReadout extends Module implements Readout {
  apply<T extends tf.Tensor>(prediction: T): T {
    return tf.tidy(() => prediction.div(-Math.LN10) as T);
  }
}

/**
 * Options of the pIC50 readout: the Cheng–Prusoff term, both or neither.
 *
 * @example
 * ```ts
 * pic50Options.parse({ substrateConcentration: 0.375, km: 0.35 });
 * ```
 */
export const pic50Options = z
  .object({
    /** Substrate concentration [S], same unit as `km`. */
    substrateConcentration: z.number().positive().finite().optional(),
    /** Michaelis constant Km, same unit as `substrateConcentration`. */
    km: z.number().positive().finite().optional(),
  })
  .strict()
  .refine((o) => (o.substrateConcentration === undefined) === (o.km === undefined), {
    message: 'give both substrateConcentration and km (for the Cheng–Prusoff term), or neither',
  });

/**
 * pIC50 readout: ΔG in kT → −ΔG / ln 10 − log10(1 + [S]/Km) (Cheng–Prusoff) when both the
 * substrate concentration and Km are given, else −ΔG / ln 10.
 *
 * @example
 * ```ts
 * new PIC50Readout({ substrateConcentration: 0.375, km: 0.35 }).apply(tf.scalar(-16.1));
 * ```
 */
export class PIC50Readout extends Module implements Readout {
  /** log10(1 + [S]/Km), or 0. */
  readonly offset: number;

  /** @param options - `substrateConcentration` and `km`, in the same unit, both or neither */
  constructor(options: z.input<typeof pic50Options> = {}) {
    super();
    const { substrateConcentration: s, km } = parseOptions(pic50Options, options, "readout 'pic50'");
    this.offset = s !== undefined && km !== undefined ? Math.log10(1 + s / km) : 0;
  }

  apply<T extends tf.Tensor>(prediction: T): T {
    return tf.tidy(() => prediction.div(-Math.LN10).sub(this.offset) as T);
  }
}
