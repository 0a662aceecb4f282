// Assembles src/backend/activations.wat into src/backend/activations-wasm.ts (the binary as
// base64, so that the package needs no assembler and no file read at run time).
// Usage: pnpm --filter @posepool/core run wasm
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { assembleActivations } from './assemble.mjs';

const wat = fileURLToPath(new URL('../src/backend/activations.wat', import.meta.url));
const out = fileURLToPath(new URL('../src/backend/activations-wasm.ts', import.meta.url));
const bytes = await assembleActivations(readFileSync(wat, 'utf8'));
writeFileSync(
  out,
  `// Generated from activations.wat by \`pnpm --filter @posepool/core run wasm\`; do not edit.\n` +
    `/** The assembled activations.wat, base64. */\n` +
    `export const ACTIVATIONS_WASM = '${Buffer.from(bytes).toString('base64')}';\n`,
);
console.log(`${out}: ${bytes.length} bytes of wasm`);
