import { api } from './api';
import type { PhotoAnalysis } from './types';

/** A queued photo is asked after every 2 s; after a minute the page stops asking and says so. */
const POLL_INTERVAL_MS = 2000;
const POLL_LIMIT_MS = 60_000;

/** Waits ms, or less when the signal aborts (the page was left). */
export const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Waits for a photo queued for a vision worker (status "pending", the distributed shape) to be analysed: the photo
 * once GET /v1/photos/:id shows it analysed or to retake; null after a minute or when aborted. A failed ask (the
 * phone offline for a moment) is simply asked again.
 */
export async function untilAnalysed(photoId: string, signal: AbortSignal): Promise<PhotoAnalysis | null> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    await pause(POLL_INTERVAL_MS, signal);
    if (signal.aborted) return null;
    const photo = await api<PhotoAnalysis>(`/v1/photos/${encodeURIComponent(photoId)}`).catch(() => null);
    if (signal.aborted) return null;
    if (photo && photo.status !== 'pending') return photo;
  }
  return null;
}

export const isHeic = (file: File) => /^image\/hei[cf]/.test(file.type) || /\.hei[cf]$/i.test(file.name);

/** Longest side of a converted photo: within iOS Safari's canvas limit (16.7 MP), above what the server keeps (2048 px). */
const MAX_SIDE = 4096;

/**
 * An iPhone HEIC photo re-encoded as JPEG in the browser, since the server's sharp has no HEVC decoder; null where
 * this browser cannot decode HEIC either (Safari can, most others cannot). The image element applies the EXIF
 * orientation, so the JPEG's pixels are upright.
 */
export async function heicToJpeg(file: File): Promise<File | null> {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = Math.min(1, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(image.naturalWidth * scale);
    canvas.height = Math.round(image.naturalHeight * scale);
    canvas.getContext('2d')?.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
    return blob ? new File([blob], file.name.replace(/\.hei[cf]$/i, '') + '.jpg', { type: 'image/jpeg', lastModified: file.lastModified }) : null;
  } catch {
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
}
