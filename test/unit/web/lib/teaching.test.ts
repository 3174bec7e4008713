import { describe, expect, it } from 'vitest';
import { canTeach, followJob, packCrop, packKey } from '../../../../web/src/lib/teaching.ts';

/** Where the element's left edge falls on the image, in image pixels, for a crop drawn `elementWidth` px wide. */
function leftEdge(crop: ReturnType<typeof packCrop>, imageWidth: number, elementWidth: number) {
  const [size] = crop.size.split(' ').map((v) => Number.parseFloat(v) / 100);
  const [position] = crop.position.split(' ').map((v) => Number.parseFloat(v) / 100);
  const drawn = elementWidth * size!;
  // CSS: the background's offset is p × (element - background).
  const offset = position! * (elementWidth - drawn);
  return (-offset / drawn) * imageWidth;
}

describe('a pack cut out of its shelf photo', () => {
  it("shows exactly the box, at the box's shape, whatever size the tile is drawn", () => {
    const crop = packCrop([100, 50, 200, 100], { width: 1000, height: 500 });
    expect(crop).toEqual({ size: '500% 500%', position: '12.5% 12.5%', aspectRatio: '200 / 100' });
    for (const tile of [44, 88, 176]) expect(leftEdge(crop, 1000, tile)).toBeCloseTo(100, 6);
  });

  it('cuts a box that overhangs the image to the image, and places a box as wide as the image at its edge', () => {
    expect(packCrop([-4, 440, 1004, 80], { width: 1000, height: 500 })).toEqual({ size: '100% 833.333%', position: '0% 100%', aspectRatio: '1000 / 60' });
    expect(packCrop([0, 0, 1000, 500], { width: 1000, height: 500 })).toEqual({ size: '100% 100%', position: '0% 0%', aspectRatio: '1000 / 500' });
  });

  it('tells two packs of one photo apart by their boxes', () => {
    expect(packKey({ photo_id: 'p1', bbox: [1, 2, 3, 4] })).not.toBe(packKey({ photo_id: 'p1', bbox: [5, 2, 3, 4] }));
  });
});

describe('who teaches', () => {
  it('shows the assign controls to whom the session says may teach, the groups alone to the others', () => {
    expect(canTeach({ may_teach: true })).toBe(true);
    expect(canTeach({ may_teach: false })).toBe(false);
    expect(canTeach(null)).toBe(false);
    expect(canTeach(undefined)).toBe(false);
  });

  it('stops following a re-recognition as soon as the page is left, without asking the server', async () => {
    const leave = new AbortController();
    const started = Date.now();
    const following = followJob('job-1', () => undefined, leave.signal);
    leave.abort();
    expect(await following).toBeNull();
    expect(Date.now() - started).toBeLessThan(500);
  });
});
