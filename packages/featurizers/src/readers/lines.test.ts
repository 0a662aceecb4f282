import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InputError } from '../errors.js';
import { assertTextFile, lines, MAX_LINE_BYTES, splitLines } from './lines.js';

async function collect(chunks: Array<string | Uint8Array>, maxLineBytes?: number): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  const bytes = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
  for await (const entry of splitLines(Readable.from(bytes), 'x.txt', maxLineBytes === undefined ? {} : { maxLineBytes })) out.push(entry);
  return out;
}

/** `total` bytes of `fill`, made lazily 1 MiB at a time: nothing is written to disk or kept. */
function lazyStream(total: number, fill: number, prefix = ''): Readable {
  const block = Buffer.alloc(1 << 20, fill);
  let sent = 0;
  return Readable.from(
    (function* () {
      yield Buffer.from(prefix);
      for (; sent < total; sent += block.length) yield block;
    })(),
  );
}

async function drain(source: AsyncIterable<[string, number]>): Promise<number> {
  let count = 0;
  for await (const _ of source) count++;
  return count;
}

describe('splitLines', () => {
  it('reads \\n, \\r\\n and lone \\r the same, across chunk boundaries, and drops a byte-order mark', async () => {
    const expected = [['\u00e9ATOM', 1], ['b', 2], ['', 3], ['c', 4]];
    expect(await collect(['\uFEFF\u00e9ATOM\nb\n\nc'])).toEqual(expected);
    expect(await collect(['\uFEFF\u00e9ATOM\r\nb\r', '\n\r\nc\r\n'])).toEqual(expected);
    expect(await collect(['\uFEFF\u00e9ATOM\rb\r\rc'])).toEqual(expected);
    const accent = Buffer.from('\u00e9');
    expect(await collect([Buffer.from('a'), accent.subarray(0, 1), accent.subarray(1), Buffer.from('\n')])).toEqual([['a\u00e9', 1]]);
  });

  it('refuses a line over the cap, naming the file and line', async () => {
    await expect(collect(['ok\n', 'x'.repeat(40), 'x'.repeat(40), '\n'], 64)).rejects.toThrow(/^x\.txt:2: the line is longer than 64 bytes/);
    expect(MAX_LINE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('refuses NUL bytes anywhere, not only in the first 8 KiB', async () => {
    await expect(collect([`${'line\n'.repeat(5000)}`, Buffer.alloc(10)])).rejects.toThrow(/x\.txt:5001: holds binary data \(a NUL byte\)/);
  });

  // A 4 GiB stream generated lazily: the reader stops at the 16 MiB cap with an error a caller
  // can catch, and memory stays flat (asserted: RSS grows by less than 200 MiB).
  it('stops a 4 GiB line without a newline at the cap, with flat memory', async () => {
    const before = process.memoryUsage().rss;
    const error = await drain(splitLines(lazyStream(4 * 1024 ** 3, 0x41), 'huge.pdb')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^huge\.pdb:1: the line is longer than 16777216 bytes \(the limit is 16 MiB\)/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
  });

  // 128 MiB of 80-byte lines (1.7 million), generated lazily and read to the end: memory does
  // not grow with the stream (asserted: RSS grows by less than 100 MiB; bench/lines.ts reads
  // 2 GiB the same way at a peak RSS of 196 MiB). A full collection before each sample: on a
  // busy machine V8's concurrent collector falls behind and RSS holds garbage (~115 MiB of it
  // measured with every core taken), which is not what the reader keeps.
  it('reads a long stream of lines to the end with flat memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const line = 'ATOM      1  CA  ALA A 900      10.000  20.000  30.000  1.00  0.00           C  \n';
    const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
    const total = 128 * 1024 ** 2;
    const stream = Readable.from(
      (function* () {
        for (let sent = 0; sent < total; sent += block.length) yield block;
      })(),
    );
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    for await (const [text] of splitLines(stream, 'long.pdb')) {
      if (++count % 100_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      if (text.length !== line.length - 1) throw new Error(`line ${count} is ${text.length} characters`);
    }
    expect(count).toBe(Math.ceil(total / block.length) * Math.floor((1 << 20) / line.length));
    expect(peak - before).toBeLessThan(100 * 1024 ** 2);
  });

  it('stops a valid record followed by 2 GiB of NUL bytes at the first NUL', async () => {
    const error = await drain(splitLines(lazyStream(2 * 1024 ** 3, 0, 'mol\n  RDKit\n\n'), 'padded.sdf')).catch((e: unknown) => e);
    expect((error as InputError).message).toMatch(/^padded\.sdf:4: holds binary data/);
  });
});

describe('file-system failures are InputErrors naming the path', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posepool-fs-'));
    await mkdir(join(dir, 'folder.sdf'));
    await writeFile(join(dir, 'file'), 'x\n');
    await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
    await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, RegExp]> = [
    ['folder.sdf', /folder\.sdf: is a folder; a SDF file is expected here\. Name the SDF file itself\./],
    ['loop-a', /loop-a: cannot read the SDF file: is a symbolic link loop\. Point the link at a real file\./],
    ['file/inside.sdf', /inside\.sdf: cannot read the SDF file: a part of the path is a file, not a folder/],
    ['missing.sdf', /missing\.sdf: SDF file not found/],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      const error = await assertTextFile(join(dir, name), 'SDF').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('E_INPUT');
      expect((error as InputError).message).toMatch(message);
    });
  }

  it('maps errors met while streaming', async () => {
    const error = await drain(lines(join(dir, 'folder.sdf'))).catch((e: unknown) => e);
    expect((error as InputError).message).toMatch(/folder\.sdf: cannot read: is a folder where a file is expected/);
  });
});
