#!/usr/bin/env node
// The `posepool` executable: parse, run, set the exit code (0 ok, 1 failure, 2 usage).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
