import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePhoto } from '../../../vision/image.ts';
import { assessQuality, MIN_ROLL_CLARITY, photoRollDeg, tiltReason } from '../../../vision/quality.ts';
import { renderShelf } from '../../../synthetic/render.ts';

let shelf: Buffer;
beforeAll(async () => {
  shelf = (await renderShelf(900_100, { blurSigma: 0, brightness: 1 })).jpeg;
});

async function retakeCodes(bytes: Buffer): Promise<string[]> {
  const photo = await decodePhoto(bytes);
  return assessQuality(await photo.grey(), photo).retake.map((r) => r.code);
}

describe('the quality gate on rendered shelf photos', () => {
  it('passes a sharp, well-exposed, full-size bay', async () => {
    expect(await retakeCodes(shelf)).toEqual([]);
  });

  it('asks for a retake of a blurred, a dark, an overexposed and a small photo, with the right reason', async () => {
    expect(await retakeCodes(await sharp(shelf).blur(6).toBuffer())).toEqual(['blurred']);
    expect(await retakeCodes(await sharp(shelf).linear(0.2, 0).toBuffer())).toContain('too_dark');
    expect(await retakeCodes(await sharp(shelf).linear(1, 170).toBuffer())).toContain('too_bright');
    expect(await retakeCodes(await sharp(shelf).resize(640).toBuffer())).toEqual(['too_small']);
  });

  it('says why in Chinese and in English', async () => {
    const photo = await decodePhoto(await sharp(shelf).blur(6).toBuffer());
    const [reason] = assessQuality(await photo.grey(), photo).retake;
    expect(reason).toMatchObject({ code: 'blurred', message_zh: expect.stringMatching(/模糊/), message_en: expect.stringMatching(/blurred/) });
  });
});

describe('camera roll from the photo itself', () => {
  const rollOf = async (bytes: Buffer) => photoRollDeg(await (await decodePhoto(bytes)).grey())!;

  it('reads the roll of a bay shot level, rolled a little and rolled hard, either way', async () => {
    for (const deg of [0, 4, -9, 30]) {
      const roll = await rollOf(await sharp(shelf).rotate(deg, { background: '#808080' }).jpeg().toBuffer());
      expect(roll.clarity).toBeGreaterThanOrEqual(MIN_ROLL_CLARITY);
      // Soft (JPEG, resampled) edges read a strong roll up to a tenth low: 30° as 28°, still far past the 6° limit.
      expect(Math.abs(roll.deg - deg)).toBeLessThan(0.5 + 0.1 * Math.abs(deg));
    }
  });

  it('asks for a retake by the roll the edges show where they show it clearly, else by the packs', () => {
    // A level row of packs, and the same row rolled 17° (its bases step 30 px down every 100 px).
    const level = [0, 1, 2, 3, 4].map((k) => ({ box: [k * 100, 100, k * 100 + 90, 300] as [number, number, number, number] }));
    const rolled = level.map((p, k) => ({ box: [p.box[0], p.box[1] + k * 30, p.box[2], p.box[3] + k * 30] as [number, number, number, number] }));
    // A photo rolled 30° whose packs the detector mostly missed (too few to pair), and a level close-up whose
    // fragments' bases slope: the edges decide.
    expect(tiltReason(level.slice(0, 2), { deg: -30, clarity: 2.9 })).toMatchObject({ code: 'tilted', message_en: expect.stringMatching(/30°/) });
    expect(tiltReason(rolled, { deg: -1, clarity: 3.8 })).toBeNull();
    // Edges that show no clear direction: the packs decide.
    expect(tiltReason(rolled, { deg: 1, clarity: 1.3 })).toMatchObject({ code: 'tilted' });
    expect(tiltReason(level, { deg: -7, clarity: 1.3 })).toBeNull();
  });
});
