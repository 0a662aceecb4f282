/**
 * Single-pose architectures for PosePool: SchNet with PyTorch Geometric's semantics and a
 * state-dict importer, a ligand-only GAT and the equivariant PaiNN (neighbour lists: `radiusGraph` in core).
 *
 * @example
 * ```ts
 * import { modelsPlugin, SchNet } from '@posepool/models';
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(modelsPlugin);
 * ```
 *
 * @packageDocumentation
 */
export { GAT, gatOptions, type GATOptions } from './gat/gat.js';
export { PaiNN, paiNNOptions, type PaiNNFeatures, type PaiNNOptions } from './painn/painn.js';
export { gat, modelsPlugin, painn, schnet } from './plugin.js';
export { loadPyGSchNetStateDict, schNetOptionsFromStateDict, type StateDict, type StateDictLayout } from './schnet/pyg-import.js';
export { SchNet, schNetOptions, type SchNetOptions } from './schnet/schnet.js';
