// Assembles each src/backend/*.wat into src/backend/<name>-wasm.ts (the binary as base64, so
// that the package needs no assembler and no file read at run time).
// Usage: pnpm --filter @posepool/core run wasm
import { Buffer } from 'node:buffer';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { assemble } from './assemble.mjs';

const dir = fileURLToPath(new URL('../src/backend/', import.meta.url));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
  const name = file.slice(0, -'.wat'.length);
  const bytes = await assemble(file, readFileSync(dir + file, 'utf8'));
  const constant = `${name.toUpperCase()}_WASM`;
  writeFileSync(
    `${dir}${name}-wasm.ts`,
    `// Generated from ${file} by \`pnpm --filter @posepool/core run wasm\`; do not edit.\n` +
      `/** The assembled ${file}, base64. */\n` +
      `export const ${constant} = '${Buffer.from(bytes).toString('base64')}';\n`,
  );
  console.log(`${name}-wasm.ts: ${bytes.length} bytes of wasm`);
}
