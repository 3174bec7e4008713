import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * chDB and the embedded log each allow one process per data directory. A second server on the same directory
 * stops with a clear line; a lock left by a killed process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'shelfpulse.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && alive(pid)) {
      throw new ConfigError(`data directory ${dataDir} is in use by process ${pid}; stop it or choose another --data-dir`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => fs.rmSync(file, { force: true });
}
