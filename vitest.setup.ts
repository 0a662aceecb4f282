// Every test file computes on the backend named by POSEPOOL_BACKEND (default: wasm, PosePool's default).
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '@posepool/core';

tf.enableProdMode();
await useBackend((process.env.POSEPOOL_BACKEND ?? 'wasm') as BackendName);
