#!/usr/bin/env node
// The `posepool` executable: parse, run, set the exit code (0 ok, 1 failure, 2 usage).
import { main } from './main.js';

// A closed pipe (`posepool list | head`) ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await main(process.argv.slice(2));
