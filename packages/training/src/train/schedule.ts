import type { RunConfig } from '../config/schema.js';

/** The state of a reduce-on-plateau schedule (the others need none). */
export interface ScheduleState {
  /** The learning rate before warm-up scaling, as lowered by plateaus. */
  readonly base: number;
  /** Best validation loss seen. */
  readonly best: number | null;
  /** Epochs since it improved. */
  readonly bad: number;
}

/**
 * The learning rate of each epoch: `constant`, `cosine` (from the rate to `minLearningRate` over
 * the epochs after warm-up), `step` (× `factor` every `stepEpochs`) or `reduce-on-plateau`
 * (× `factor` after `patience` epochs without a lower validation loss), each after an optional
 * linear warm-up (epoch e < warmupEpochs runs at lr·(e+1)/(warmupEpochs+1)).
 *
 * @example
 * ```ts
 * const schedule = new LearningRateSchedule(config.schedule, 1e-3, config.epochs);
 * const lr = schedule.rate(0);
 * schedule.observe(validationLoss);
 * ```
 */
export class LearningRateSchedule {
  readonly #options: RunConfig['schedule'];
  readonly #rate: number;
  readonly #epochs: number;
  #state: ScheduleState;

  /**
   * @param options - the run config's `schedule` section
   * @param rate - the optimizer's learning rate
   * @param epochs - the run's epochs
   * @param state - a saved state, when resuming
   */
  constructor(options: RunConfig['schedule'], rate: number, epochs: number, state?: ScheduleState) {
    this.#options = options;
    this.#rate = rate;
    this.#epochs = epochs;
    this.#state = state ?? { base: rate, best: null, bad: 0 };
  }

  /** @returns the state to checkpoint */
  get state(): ScheduleState {
    return this.#state;
  }

  /**
   * @param epoch - 0-based epoch
   * @returns its learning rate
   */
  rate(epoch: number): number {
    const o = this.#options;
    const warm = o.warmupEpochs;
    if (epoch < warm) return (this.#rate * (epoch + 1)) / (warm + 1);
    switch (o.name) {
      case 'constant':
        return this.#rate;
      case 'cosine': {
        const span = Math.max(1, this.#epochs - warm - 1);
        return o.minLearningRate + ((this.#rate - o.minLearningRate) * (1 + Math.cos((Math.PI * Math.min(epoch - warm, span)) / span))) / 2;
      }
      case 'step':
        return this.#rate * o.factor ** Math.floor((epoch - warm) / o.stepEpochs);
      case 'reduce-on-plateau':
        return this.#state.base;
    }
  }

  /** @param loss - the epoch's validation (or training) loss; drives reduce-on-plateau */
  observe(loss: number): void {
    if (this.#options.name !== 'reduce-on-plateau') return;
    const { base, best, bad } = this.#state;
    if (best === null || loss < best) {
      this.#state = { base, best: loss, bad: 0 };
    } else if (bad + 1 >= this.#options.patience) {
      this.#state = { base: Math.max(this.#options.minLearningRate, base * this.#options.factor), best, bad: 0 };
    } else {
      this.#state = { base, best, bad: bad + 1 };
    }
  }
}
