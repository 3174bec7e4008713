import { describe, expect, it } from 'vitest';
import { isHeic, untilAnalysed } from '../../../../web/src/lib/photos.ts';

describe('photos from the phone', () => {
  it('knows an iPhone HEIC/HEIF photo by its type or, where the browser gives none, by its name', () => {
    expect(isHeic(new File([], 'IMG_0001.HEIC', { type: 'image/heic' }))).toBe(true);
    expect(isHeic(new File([], 'shelf.heif', { type: '' }))).toBe(true);
    expect(isHeic(new File([], 'shelf', { type: 'image/heif-sequence' }))).toBe(true);
    expect(isHeic(new File([], 'shelf.jpg', { type: 'image/jpeg' }))).toBe(false);
    expect(isHeic(new File([], 'heic.png', { type: 'image/png' }))).toBe(false);
  });

  it('stops waiting for a queued photo as soon as the page is left, without asking the server', async () => {
    const leave = new AbortController();
    const started = Date.now();
    const waiting = untilAnalysed('photo-1', leave.signal);
    leave.abort();
    expect(await waiting).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
