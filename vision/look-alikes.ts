import sharp from 'sharp';
import type { Bbox } from '../contracts/shelf-analysis.ts';
import { embedCrop, LOOK_ALIKE_SIMILARITY, similarity } from './recognize.ts';

/** The looks (appearance embeddings) of boxes on a stored photo, in the stored image's pixels. */
export async function packLooks(jpeg: Buffer, boxes: readonly Bbox[]): Promise<Float32Array[]> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data, width: info.width, height: info.height };
  return boxes.map(([x, y, w, h]) => embedCrop(image, [x, y, Math.min(info.width, x + w), Math.min(info.height, y + h)]));
}

/**
 * Groups items by look: each joins the first group whose first member it resembles enough, else starts one.
 * Returns the groups as lists of item indexes, largest first (ties in input order).
 */
export function groupLookAlikes(looks: readonly Float32Array[], threshold = LOOK_ALIKE_SIMILARITY): number[][] {
  const groups: number[][] = [];
  looks.forEach((look, i) => {
    const group = groups.find((g) => similarity(looks[g[0]!]!, look) >= threshold);
    if (group) group.push(i);
    else groups.push([i]);
  });
  return groups.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
}
