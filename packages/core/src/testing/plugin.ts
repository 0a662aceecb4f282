import { definePlugin } from '../registry/registry.js';
import { toyMessagePassing } from './toy-representation.js';

/**
 * Registers the test representation `toy-message-passing`, so models built on it can be
 * saved and loaded like any other.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(testingPlugin);
 * ```
 */
export const testingPlugin = definePlugin({ name: '@posepool/core/testing', components: [toyMessagePassing] });
