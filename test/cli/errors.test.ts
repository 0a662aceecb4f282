// Bad input through the real bin: one line on stderr naming what and where, the exit code, no output files.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TYK2, runBin, startBin } from './bin.js';

let dir: string;
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cli-errors-'));
  await writeFile(path('unknown-key.yaml'), 'epochs: 2\noptimizer:\n  lr: 0.1\n');
  await writeFile(path('bad-value.json'), '{\n  "epochs": "many"\n}\n');
  await writeFile(path('bad-syntax.yaml'), 'epochs: 2\nepochs: 3\n');
  await writeFile(path('bad-model.yaml'), 'model:\n  representation: { name: schnett }\n  strategy: { name: complex-only }\n  combination: { name: mean }\n');
  await writeFile(path('no-plugin.mjs'), 'export const answer = 42;\n');
  // A folder without measurements, and one with a malformed measurement.
  await cp(TYK2, path('no-csv'), { recursive: true });
  await rm(path('no-csv/affinities.csv'));
  await cp(TYK2, path('bad-csv'), { recursive: true });
  const csv = (await readFile(join(TYK2, 'affinities.csv'), 'utf8')).split('\n');
  csv[2] = csv[2]!.replace(/,8\.602,/, ',high,');
  await writeFile(path('bad-csv/affinities.csv'), csv.join('\n'));
  await writeFile(path('not-empty'), '');
  await mkdir(path('broken-model'));
  await writeFile(join(path('broken-model'), 'posepool-model.json'), '{');
});

const cases: Array<{ name: string; args: () => string[]; code: number; message: RegExp; absent?: () => string }> = [
  { name: 'an unknown option', args: () => ['train', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
  { name: 'an unknown command, with a suggestion', args: () => ['trian'], code: 2, message: /unknown command 'trian' \(Did you mean train\?\)/ },
  { name: 'a missing config file', args: () => ['train', '-c', path('missing.yaml'), '-o', path('out1')], code: 1, message: /missing\.yaml: cannot read the run config \(ENOENT\)\. Check the path given to --config/, absent: () => path('out1') },
  { name: 'an unknown config key, with its line and the valid keys', args: () => ['train', '-c', path('unknown-key.yaml'), '-o', path('out2')], code: 1, message: /unknown-key\.yaml:3:3: unknown key 'optimizer\.lr'\. Remove it or use one of: name, learningRate/, absent: () => path('out2') },
  { name: 'a bad config value in JSON', args: () => ['train', '-c', path('bad-value.json'), '-o', path('out3')], code: 1, message: /bad-value\.json:2:13: epochs: Invalid input: expected number, received string/, absent: () => path('out3') },
  { name: 'a YAML syntax error', args: () => ['train', '-c', path('bad-syntax.yaml'), '-o', path('out4')], code: 1, message: /bad-syntax\.yaml:2:1: not valid YAML or JSON \(DUPLICATE_KEY/, absent: () => path('out4') },
  { name: 'an unknown component name', args: () => ['train', TYK2, '-c', path('bad-model.yaml'), '-o', path('out5')], code: 1, message: /representation 'schnett' is not registered\. Registered representation names: gat, painn, schnet/, absent: () => path('out5') },
  { name: 'a missing data folder', args: () => ['train', path('nowhere'), '-o', path('out6')], code: 1, message: /nowhere: folder not found/, absent: () => path('out6') },
  { name: 'a folder without measurements', args: () => ['train', path('no-csv'), '-o', path('out7')], code: 1, message: /no-csv: no CSV of measurements/, absent: () => path('out7') },
  { name: 'a malformed measurement, with its line', args: () => ['train', path('bad-csv'), '-o', path('out8')], code: 1, message: /affinities\.csv:3 \(record 'lig_jmc_23'\): pIC50_or_pK 'high' is not a number/, absent: () => path('out8') },
  { name: 'an output directory that is not empty', args: () => ['train', TYK2, '-o', dir], code: 1, message: /exists and is not empty\. Choose another --out, or continue it with --resume/ },
  { name: 'resuming a directory that does not exist', args: () => ['train', '--resume', path('no-run')], code: 1, message: /--resume .*no-run: no such run directory/ },
  { name: 'resume with data folders', args: () => ['train', TYK2, '--resume', path('no-run')], code: 2, message: /--resume takes the run's own config, data, directory, starting weights and members: drop DATA, --config, --out, --init and --ensemble/ },
  { name: 'a prediction file of unknown format', args: () => ['predict', dir, '-o', path('preds.txt')], code: 2, message: /--out .*preds\.txt: expected a file name ending in \.csv or \.json/, absent: () => path('preds.txt') },
  { name: 'a shard out of range', args: () => ['predict', dir, '--shard', '4/4', '-o', path('p1.csv')], code: 2, message: /--shard 4\/4: it gives shard 4 of 4; need 0 ≤ i < n/, absent: () => path('p1.csv') },
  { name: '--shard auto outside a job array', args: () => ['predict', dir, '--shard', 'auto', '-o', path('p2.csv')], code: 2, message: /--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set/, absent: () => path('p2.csv') },
  { name: 'a directory that holds no model', args: () => ['predict', dir, '-o', path('p3.csv')], code: 1, message: /neither a run directory \(config\.yaml \+ model\/\) nor a model directory \(posepool-model\.json\)/, absent: () => path('p3.csv') },
  { name: 'a broken model directory', args: () => ['predict', path('broken-model'), TYK2, '-o', path('p4.csv')], code: 1, message: /broken-model\/posepool-model\.json: is not valid JSON .*Give a model directory written by 'posepool train'/, absent: () => path('p4.csv') },
  { name: 'an unknown evaluation subset', args: () => ['evaluate', dir, '--split', 'holdout'], code: 2, message: /option '--split <subset>' argument 'holdout' is invalid\. Allowed choices are all, train, validation, test/ },
  { name: 'gradcheck without a component', args: () => ['gradcheck'], code: 2, message: /Give one of --combination NAME or --representation NAME/ },
  { name: 'gradcheck of an unknown combination', args: () => ['gradcheck', '--combination', 'nope'], code: 1, message: /combination 'nope' is not registered\. Registered combination names: boltzmann, free-energy/ },
  { name: 'a plugin package that is not installed', args: () => ['list', '--plugin', 'posepool-plugin-absent'], code: 2, message: /--plugin posepool-plugin-absent: cannot import it .* Install the package in this project, or give a path starting with \.\// },
  { name: 'a plugin module that exports no plugin', args: () => ['list', '--plugin', path('no-plugin.mjs')], code: 2, message: /no-plugin\.mjs: the module exports no plugin \(an object made by definePlugin\)/ },
  { name: 'a non-integer flag value', args: () => ['evaluate', dir, '--seed', '1.5'], code: 2, message: /option '--seed <n>' argument '1\.5' is invalid\. '1\.5' is not a positive integer/ },
];

describe('bad input through the posepool bin', () => {
  it.concurrent.each(cases)('$name', async ({ args, code, message, absent }) => {
    const result = await runBin(args());
    expect(result.code).toBe(code);
    // Progress lines may come first (e.g. "featurized tyk2"); the error is one line, the last.
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('posepool:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^posepool: error: /);
    expect(lines.at(-1)).toMatch(message);
    expect(result.stdout).toBe('');
    if (absent !== undefined) expect(await readdir(absent()).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });

  it('with no arguments prints the usage and exits 2', async () => {
    const result = await runBin([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: posepool \[options\] \[command\]/);
  });

  it.concurrent.each(['train', 'evaluate', 'predict', 'gradcheck', 'list', 'schema'])('%s --help shows an example', async (command) => {
    const result = await runBin([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples?:\n\s+\$ posepool /);
  });

  it.each([['--help'], ['list']])('ends quietly when its reader has closed the pipe (posepool %s | head)', async (...args) => {
    const child = startBin(args);
    child.stdout!.destroy(); // the reader is gone before the first write, as after `head` has its lines
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
