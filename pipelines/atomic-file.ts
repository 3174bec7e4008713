import fsp from 'node:fs/promises';

let tmpCounter = 0;

/**
 * Writes a file so that a crash leaves either the old or the new content, never a torn one: the bytes go to a
 * temporary file of this process and this call (so concurrent writers of the same file never share one), are
 * fsync'd, and only then renamed over the target.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
}
