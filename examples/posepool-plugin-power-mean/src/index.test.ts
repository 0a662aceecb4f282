// The power mean passes the harness PosePool's own combinations pass.
import { checkCombination, checkDecoupledGradients } from '@posepool/core/testing';
import { describe, it } from 'vitest';

import { PowerMean } from './index.js';

describe('power-mean', () => {
  it('passes the combination harness', () => {
    // closed form vs autodiff vs float64 central differences; N = 1, ties, extreme values
    checkCombination(new PowerMean({ power: 3 }), { extreme: 4 });
  });
  it('gives naive gradients in every mode', () => {
    // decoupled (stored, recompute, auto) vs one full graph, with a combined and a per-pose loss
    checkDecoupledGradients(() => new PowerMean({ power: 2 }));
  });
});
