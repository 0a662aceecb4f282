import { z } from 'zod';

import { PosePoolError } from '../errors.js';

/**
 * Validates a component's options against its zod schema: the one rule for every component,
 * whether it is built by name through a registry or constructed directly. Unknown keys are
 * errors (schemas are strict), defaults are filled in, and the error quotes each bad value and
 * lists the valid options.
 *
 * @param schema - the component's options schema
 * @param options - what the user gave (may be partial)
 * @param who - names the component in the error, e.g. `combination 'boltzmann'`
 * @returns a complete copy with defaults
 * @throws PosePoolError `E_CONFIG`
 * @example
 * ```ts
 * class Scaled extends Module implements Readout {
 *   readonly factor: number;
 *   constructor(options: z.input<typeof scaledOptions> = {}) {
 *     super();
 *     this.factor = parseOptions(scaledOptions, options, "readout 'scaled'").factor;
 *   }
 * }
 * ```
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, who: string): z.output<S> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`);
  throw new PosePoolError('E_CONFIG', `Invalid options for ${who}: ${problems.join('; ')}. Valid options: ${describeOptions(schema)}.`, { cause: parsed.error });
}

function describeOptions(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: string; default?: unknown }> };
  const entries = Object.entries(json.properties ?? {});
  if (entries.length === 0) return '(none)';
  return entries
    .map(([key, prop]) => `${key} (${prop.type ?? 'value'}${prop.default !== undefined ? `, default ${JSON.stringify(prop.default)}` : ''})`)
    .join(', ');
}
