// The line reader on multi-gigabyte streams generated lazily (nothing written to disk): a
// 2 GiB stream of 80-byte PDB lines read to the end, and a 4 GiB stream without a newline that
// must stop at the 16 MiB line cap. Reports throughput and the peak RSS (sampled every 50 ms).
// Writes bench/results/lines.json. Run: pnpm bench (or node --conditions=@posepool/source --import tsx lines.ts)
import { Readable } from 'node:stream';

import { splitLines } from '@posepool/featurizers';

import { machine, writeResult } from './lib.js';

const GiB = 1024 ** 3;

/** `total` bytes made by repeating `block`, lazily. */
function lazy(total: number, block: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < total; sent += block.length) yield block;
    })(),
  );
}

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const startRss = process.memoryUsage().rss;

const line = 'ATOM      1  CA  ALA A 900      10.000  20.000  30.000  1.00  0.00           C  \n';
const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
let start = performance.now();
let count = 0;
for await (const _ of splitLines(lazy(2 * GiB, block), 'lines.pdb')) count++;
const linesSeconds = (performance.now() - start) / 1000;
const linesPeak = peak;

start = performance.now();
let message = '';
try {
  for await (const _ of splitLines(lazy(4 * GiB, Buffer.alloc(1 << 20, 0x41)), 'no-newline.pdb')) void _;
} catch (error) {
  message = (error as Error).message;
}
const capSeconds = (performance.now() - start) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);

const result = {
  machine: machine(),
  streamedLines: { bytes: 2 * GiB, lines: count, seconds: linesSeconds, mibPerSecond: 2048 / linesSeconds, peakRssMiB: linesPeak / 2 ** 20 },
  noNewline: { bytes: 4 * GiB, stoppedWith: message, seconds: capSeconds },
  startRssMiB: startRss / 2 ** 20,
  peakRssMiB: peak / 2 ** 20,
};
console.log(JSON.stringify(result, null, 2));
await writeResult('lines', result);
