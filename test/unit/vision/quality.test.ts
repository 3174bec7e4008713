import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePhoto } from '../../../vision/image.ts';
import { assessQuality } from '../../../vision/quality.ts';
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
