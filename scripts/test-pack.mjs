// The pack test: what a user gets from npm, tried in empty projects with plain npm (no workspace,
// no tsx, no source condition). Builds and packs every package, then installs
//   a) core + combinations alone: a hand-written TF.js representation trains one step and predicts;
//   b) core + featurizers + models: featurizes the bundled tyk2 folder, builds a SchNet, predicts;
//   c) the CLI with every package and the example plugin: `posepool --help`, `posepool list --plugin`,
//      and a tiny `posepool train --workers 2` (the compiled worker threads).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'posepool-pack-'));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const step = (title) => console.log(`\n▸ ${title}`);

try {
  step('build and pack every package');
  run('pnpm', ['build'], root);
  const tarballs = join(work, 'tarballs');
  const packages = [...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name)), join(root, 'examples', 'posepool-plugin-power-mean')];
  for (const dir of packages) run('pnpm', ['pack', '--pack-destination', tarballs], dir);
  const tarball = (name) => join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`posepool-${name}-0`)));
  for (const file of readdirSync(tarballs)) console.log(`  ${file}`);

  const project = (name, packages, files = []) => {
    const dir = join(work, name);
    cpSync(join(root, 'test', 'pack'), dir, { recursive: true });
    for (const [from, to] of files) cpSync(join(root, from), join(dir, to), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `pack-${name}`, private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], dir);
    return dir;
  };

  step('a) @posepool/core + @posepool/combinations alone');
  const a = project('core-combinations', [tarball('core'), tarball('combinations'), '@tensorflow/tfjs@4.22.0', 'zod@4']);
  process.stdout.write(run('node', ['core-combinations.mjs'], a));

  step('b) @posepool/core + @posepool/featurizers + @posepool/models');
  const b = project('featurize-schnet', [tarball('core'), tarball('featurizers'), tarball('models'), '@tensorflow/tfjs@4.22.0'], [['examples/data/tyk2', 'tyk2']]);
  process.stdout.write(run('node', ['featurize-schnet.mjs'], b));

  step('c) @posepool/cli with every package and the example plugin');
  const c = project('cli', readdirSync(tarballs).map((f) => join(tarballs, f)), [['examples/data/tyk2', 'tyk2']]);
  const bin = join(c, 'node_modules', '.bin', 'posepool');
  const help = run(bin, ['--help'], c);
  if (!/^Usage: posepool/.test(help)) throw new Error(`posepool --help printed:\n${help}`);
  console.log(help.split('\n').slice(0, 3).join('\n'));
  const list = run(bin, ['list', '--plugin', 'posepool-plugin-power-mean'], c);
  for (const name of ['schnet', 'smooth-min', 'boltzmann', 'power-mean']) if (!list.includes(name)) throw new Error(`posepool list lacks ${name}:\n${list}`);
  console.log(`  posepool list --plugin posepool-plugin-power-mean: ${list.trim().split('\n').length} lines, schnet, smooth-min, boltzmann and power-mean among them`);
  const train = execFileSync(bin, ['train', 'tyk2', '-c', 'tiny.yaml', '-o', 'run', '--workers', '2'], { cwd: c, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const status = readFileSync(join(c, 'run', 'status'), 'utf8').trim();
  if (status !== 'done') throw new Error(`posepool train --workers 2 ended with status '${status}':\n${train}`);
  console.log(`  posepool train --workers 2: ${status}; ${readdirSync(join(c, 'run')).length} entries in the run directory`);
  console.log('\npack test passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
