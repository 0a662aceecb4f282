// pnpm docs:cli — rewrites the command-line reference from the commands' own help.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { REFERENCE, commandLineReference } from './reference.js';

const path = fileURLToPath(new URL(`../../${REFERENCE}`, import.meta.url));
await writeFile(path, await commandLineReference());
console.log(`wrote ${REFERENCE}`);
