import { CommanderError } from '@commander-js/extra-typings';
import { InputError } from '@posepool/featurizers';
import { PosePoolError } from '@posepool/core';
import { describe, expect, it } from 'vitest';

import { UsageError, describeError } from './errors.js';

describe('describeError', () => {
  it('maps usage problems to exit code 2 and failures to 1, on one line', () => {
    expect(describeError(new UsageError('--out x.txt: expected .csv or .json.'))).toEqual({ code: 2, line: 'posepool: error: --out x.txt: expected .csv or .json.' });
    expect(describeError(new PosePoolError('E_USAGE', '--shard 9/4: need 0 ≤ i < n.')).code).toBe(2);
    expect(describeError(new InputError({ file: 'a.csv', line: 3 }, "pK 'x' is not a number"))).toEqual({ code: 1, line: "posepool: error: a.csv:3: pK 'x' is not a number." });
    expect(describeError(new Error('first\n  second')).line).toBe('posepool: error: first second');
    expect(describeError(new CommanderError(2, 'commander.unknownOption', 'unknown option')).code).toBe(2);
    expect(describeError(new CommanderError(0, 'commander.helpDisplayed', '(help)'))).toEqual({ code: 0, line: '' });
  });
});
