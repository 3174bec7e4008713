import sharp from 'sharp';
import type { Bbox } from '../contracts/shelf-analysis.ts';
import { decodePhoto } from './image.ts';

/** Reference images are kept at most this size on their long side: enough for appearance and pack text. */
const MAX_SIDE = 512;

export class BoxOutsideImageError extends Error {
  override name = 'BoxOutsideImageError';
}

/**
 * A product's reference image from a pack shot, or from one box of an analysed shelf photo (its stored, upright
 * image, whose pixels the boxes are in): upright, cropped, at most 512 px, JPEG without metadata. An unusable
 * image throws UnreadableImageError, as a shelf photo does.
 */
export async function packReferenceImage(input: Buffer, box?: Bbox): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const { rgb } = await decodePhoto(input);
  let region = { left: 0, top: 0, width: rgb.width, height: rgb.height };
  if (box) {
    const [x, y, w, h] = box.map(Math.round) as [number, number, number, number];
    if (w < 8 || h < 8 || x < 0 || y < 0 || x + w > rgb.width || y + h > rgb.height) {
      throw new BoxOutsideImageError(`box [${box.join(', ')}] is not a box of at least 8×8 px inside the ${rgb.width}×${rgb.height} photo`);
    }
    region = { left: x, top: y, width: w, height: h };
  }
  const { data, info } = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .extract(region)
    .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 90 })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}
