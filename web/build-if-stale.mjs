// `npm start` and `npm test` run this first: build the web app when web/build is missing or older than its sources, so that a
// fresh clone serves the app and a second start stays fast.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(fileURLToPath(import.meta.url));
const built = path.join(web, 'build', 'index.html');

function newest(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts'].map((p) => path.join(web, p)).filter((p) => fs.existsSync(p));
const stale = !fs.existsSync(built) || Math.max(...sources.map(newest)) > fs.statSync(built).mtimeMs;
if (stale) {
  console.log('building the web app (web/build)…');
  const result = spawnSync('npm', ['run', 'build:web', '--silent'], { cwd: path.dirname(web), stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
