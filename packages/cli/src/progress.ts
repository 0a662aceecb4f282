import cliProgress from 'cli-progress';

/** Progress output: a bar on a terminal, nothing between plain lines elsewhere. */
export interface Progress {
  /** Starts a bar of `total` steps. */
  start(label: string, total: number): void;
  /** Moves the bar; `detail` shows after it (e.g. the loss). */
  update(value: number, detail?: string): void;
  /** Removes the bar and prints a line. */
  line(text: string): void;
  /** Removes the bar. */
  stop(): void;
}

/**
 * Progress on `stream`: cli-progress bars when it is an interactive terminal, else only the
 * plain lines given to {@link Progress.line}; `quiet` prints nothing (for `--json`).
 *
 * @param stream - usually `process.stderr`
 * @param quiet - print nothing
 * @returns the progress handle
 * @example
 * ```ts
 * const progress = createProgress(process.stderr, false);
 * progress.start('epoch 1/20', 3);
 * progress.update(1, 'loss 0.61');
 * progress.line('epoch 1/20  train loss 0.61');
 * ```
 */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): Progress {
  const interactive = !quiet && stream.isTTY === true && process.env.CI === undefined && process.env.TERM !== 'dumb';
  let bar: cliProgress.SingleBar | undefined;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    start(label, total) {
      if (!interactive) return;
      stop();
      bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total} {detail}`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(total, 0, { detail: '' });
    },
    update(value, detail = '') {
      bar?.update(value, { detail });
    },
    line(text) {
      stop();
      if (!quiet) stream.write(`${text}\n`);
    },
    stop,
  };
}
