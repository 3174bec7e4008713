import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * Content-addressed photo files under the data directory: the path comes from the SHA-256 of the bytes, never
 * from anything a client sends, so an upload cannot write outside the store and the same photo is kept once.
 */
export class PhotoStore {
  constructor(private readonly root: string) {}

  static idOf(bytes: Buffer): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  private dir(photoId: string): string {
    if (!/^[0-9a-f]{64}$/.test(photoId)) throw new Error(`not a photo id: ${photoId}`);
    return path.join(this.root, photoId.slice(0, 2), photoId.slice(2));
  }

  /** Writes the original and its upright, metadata-free derivative (fsync'd, atomically: the same photo again rewrites the same bytes). */
  async put(photoId: string, original: Buffer, derivative: Buffer): Promise<void> {
    const dir = this.dir(photoId);
    await fs.mkdir(dir, { recursive: true });
    // Side by side: each waits mostly for its own fsync.
    await Promise.all([writeFileAtomic(path.join(dir, 'original'), original), writeFileAtomic(path.join(dir, 'derivative.jpg'), derivative)]);
  }

  /** Writes an image that has no separate original (a product's reference image, already cropped and upright). */
  async putImage(imageId: string, jpeg: Buffer): Promise<void> {
    const dir = this.dir(imageId);
    await fs.mkdir(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, 'derivative.jpg'), jpeg);
  }

  /** The bytes as uploaded, for the vision worker. */
  async original(photoId: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(photoId)) return undefined;
    return fs.readFile(path.join(this.dir(photoId), 'original')).catch(() => undefined);
  }

  async derivative(photoId: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(photoId)) return undefined;
    return fs.readFile(path.join(this.dir(photoId), 'derivative.jpg')).catch(() => undefined);
  }
}
