// The SchNet import guide's example, kept here so a test runs it exactly as printed.
import { readFile } from 'node:fs/promises';

import { MeanCombination } from '@posepool/combinations';
import { ComplexOnlyStrategy, MultiPoseModel } from '@posepool/core';
import { SchNet, loadPyGSchNetStateDict, schNetOptionsFromStateDict } from '@posepool/models';

export async function importSchNet(path = 'schnet.json'): Promise<MultiPoseModel> {
  const stateDict = JSON.parse(await readFile(path, 'utf8'));
  // Sizes, interactions and cutoff come from the state dict; the neighbour cap is not in it.
  const schnet = new SchNet({ ...schNetOptionsFromStateDict(stateDict), maxNumNeighbors: 32 });
  const model = new MultiPoseModel({
    representation: schnet,
    strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }),
    combination: new MeanCombination(),
  });
  loadPyGSchNetStateDict(model, stateDict);
  return model;
}
