import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/shelfpulse.mjs');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * Runs `shelfpulse serve` as a real child process and resolves once it prints its address: by default the app's,
 * or `{ starting: true }` the starting page's, which answers before the platform and the demo are up. Fails after
 * `timeoutMs` (90 s; more where many processes start at once on a busy machine).
 */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv, options: { starting?: boolean; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const announced = options.starting ? /starting at (http:\/\/localhost:\d+)/ : /running at (http:\/\/localhost:\d+)/;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    // MALLOC_ARENA_MAX as `npm start` and the Docker image set it.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), options.timeoutMs ?? 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = announced.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
