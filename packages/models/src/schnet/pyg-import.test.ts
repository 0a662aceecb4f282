import { readFileSync } from 'node:fs';

import { ComplexOnlyStrategy, ConcatStrategy, SinglePoseModel } from '@posepool/core';
import { expectNoLeaks } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { loadPyGSchNetStateDict, schNetOptionsFromStateDict, type StateDict } from './pyg-import.js';
import { SchNet } from './schnet.js';

const stateDict = (JSON.parse(readFileSync(new URL('../../fixtures/pyg-schnet-small.json', import.meta.url), 'utf8')) as { models: { small: { state_dict: StateDict } } }).models.small.state_dict;

function target(strategy: 'complex' | 'concat' = 'complex'): SinglePoseModel {
  const schnet = new SchNet({ ...schNetOptionsFromStateDict(stateDict), seed: 1 });
  const sizes = { complex: 8, protein: 8, ligand: 8 };
  return new SinglePoseModel({ representation: schnet, strategy: strategy === 'complex' ? new ComplexOnlyStrategy(sizes) : new ConcatStrategy(sizes) });
}

function loadError(edit: (sd: Record<string, unknown>) => void, model = target()): string {
  const copy: Record<string, unknown> = structuredClone(stateDict);
  edit(copy);
  const before = model.namedParameters().map(([, p]) => Array.from(p.variable.dataSync()));
  let message = 'loaded';
  try {
    loadPyGSchNetStateDict(model, copy);
  } catch (error) {
    message = (error as Error).message;
  }
  // Nothing is assigned when the state dict is rejected.
  expect(model.namedParameters().map(([, p]) => Array.from(p.variable.dataSync()))).toEqual(before);
  model.dispose();
  return message;
}

describe('PyG SchNet state dicts', () => {
  it('reads the architecture from the state dict', () => {
    expect(schNetOptionsFromStateDict(stateDict)).toEqual({ hiddenChannels: 16, numFilters: 16, numGaussians: 10, numInteractions: 2, cutoff: 10 });
  });

  it('accepts prefixed keys (a SchNet inside a larger model)', () => {
    const prefixed = Object.fromEntries(Object.entries(stateDict).map(([k, v]) => [k.startsWith('lin2.') ? k.replace('lin2.', 'strategy.energy.') : `representation.${k}`, v]));
    const model = target();
    expectNoLeaks(() => loadPyGSchNetStateDict(model, prefixed, { prefix: 'representation.', headPrefix: 'strategy.energy.' }));
    expect(Array.from(model.namedParameters().find(([p]) => p === 'strategy.head.bias')![1].variable.dataSync())).toEqual((stateDict['lin2.bias'] as number[]).map(Math.fround));
    model.dispose();
  });

  const cases: Array<[string, (sd: Record<string, unknown>) => void, RegExp]> = [
    ['a missing key', (sd) => delete sd['interactions.1.lin.bias'], /missing 'interactions\.1\.lin\.bias'/],
    ['a wrong shape', (sd) => (sd['lin1.weight'] = [[1, 2]]), /'lin1\.weight' has shape \[1, 2\]; 'representation\.lin1\.weight' is \[8, 16\]/],
    ['an unexpected key', (sd) => (sd['atomref.weight'] = [[0]]), /unexpected keys: atomref\.weight/],
    ['a filter network that differs from its conv.nn copy', (sd) => ((sd['interactions.0.conv.nn.0.bias'] as number[])[0] = 5), /'interactions\.0\.conv\.nn\.0\.bias' differs from 'interactions\.0\.mlp\.0\.bias'/],
    ['other Gaussian centres', (sd) => ((sd['distance_expansion.offset'] as number[])[1] = 1.5), /does not match the model's Gaussian centres/],
    ['a non-numeric value', (sd) => ((sd['lin2.bias'] as unknown[])[0] = 'x'), /'lin2\.bias' holds "x"/],
  ];
  for (const [what, edit, message] of cases) {
    it(`rejects ${what} and assigns nothing`, () => {
      expect(loadError(edit)).toMatch(message);
    });
  }

  it('says which strategies can take the energy head', () => {
    expect(loadError(() => {}, target('concat'))).toMatch(/has no single head \('strategy\.head'\); use 'complex-only' or 'delta'/);
  });
});
