import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// The web app is type-checked by svelte-check (Svelte templates, props, a11y), which `tsc` does not see: running it
// here puts it on the test path, so CI fails on a type error or warning in a .svelte file.
it('the web app passes svelte-check without errors or warnings', async () => {
  const child = spawn('npm', ['run', '--silent', 'check:web'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, output).toBe(0);
  expect(output).toMatch(/svelte-check found 0 errors and 0 warnings/);
}, 300_000);
