// Checks every relative link of the built documentation site: each must name a file that exists
// (and, with a #fragment, an element with that id). Run after typedoc by `pnpm docs:build`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const site = resolve(process.argv[2] ?? 'docs/site');
const pages = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.html')) pages.push(path);
  }
};
walk(site);

const ids = new Map();
const idsOf = (page) => {
  if (!ids.has(page)) ids.set(page, new Set([...readFileSync(page, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
  return ids.get(page);
};

const broken = [];
for (const page of pages) {
  for (const [, href] of readFileSync(page, 'utf8').matchAll(/\shref="([^"]+)"/g)) {
    if (/^(https?:|mailto:|data:|javascript:)/.test(href) || href.startsWith('//')) continue;
    const [path, fragment] = href.split('#');
    const target = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
    if (!existsSync(target)) broken.push(`${relative(site, page)}: ${href} (no such file)`);
    else if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) broken.push(`${relative(site, page)}: ${href} (no #${fragment})`);
  }
}
if (broken.length > 0) {
  console.error(`${broken.length} broken links in ${relative(process.cwd(), site)}:\n${broken.slice(0, 50).join('\n')}`);
  process.exit(1);
}
console.log(`links: ${pages.length} pages checked, none broken`);
