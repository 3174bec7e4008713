/**
 * Phone photos are made smaller on the phone before they are queued and sent: a 12 MP JPEG of 4–5 MB takes
 * minutes on a weak shop-floor signal, while the server analyses at most 2048 px on the long side (it halves a
 * longer photo until it fits, so 2,049–4,096 px would be analysed at half that). Its quality gate asks for a short
 * side of at least 720 px, and the price OCR reads the tags at the analysed size: 2048 px keeps both.
 */
export const ANALYSED_LONG_SIDE = 2048;
export const GATE_SHORT_SIDE = 720;
/** JPEG quality of the sent photo: high enough that price-tag digits keep their edges (the blur check reads them too). */
export const SENT_QUALITY = 0.9;
export const THUMB_LONG_SIDE = 240;

/**
 * The size a photo is sent at: the long side brought down to what the server analyses, never enlarged, and never
 * below the gate's short side (a narrow panorama keeps more than 2048 px rather than come back "too small").
 */
export function sentSize(width: number, height: number): { width: number; height: number } {
  return scaled(width, height, Math.max(ANALYSED_LONG_SIDE / Math.max(width, height), GATE_SHORT_SIDE / Math.min(width, height)));
}

/** A thumbnail's size: the long side at most `longSide`. */
export const thumbSize = (width: number, height: number, longSide = THUMB_LONG_SIDE) => scaled(width, height, longSide / Math.max(width, height));

function scaled(width: number, height: number, scale: number) {
  const s = Math.min(1, scale);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

export interface ResizedPhoto {
  /** The photo to send: upright (EXIF orientation applied) JPEG without metadata, or the file itself if it cannot be drawn. */
  blob: Blob;
  /** A small JPEG data URL that the capture page shows beside its result (a retake names the shelf to shoot again). */
  thumb: string;
}

function draw(image: ImageBitmap, size: { width: number; height: number }): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, size.width, size.height);
  return canvas;
}

/** Resizes a photo in the browser; one it cannot decode goes as it is, and the server says what is wrong with it. */
export async function resizePhoto(file: Blob): Promise<ResizedPhoto> {
  let image: ImageBitmap;
  try {
    image = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return { blob: file, thumb: '' };
  }
  try {
    const size = sentSize(image.width, image.height);
    const unchanged = size.width === image.width && size.height === image.height && file.type === 'image/jpeg';
    const blob = unchanged ? file : await new Promise<Blob>((resolve) => draw(image, size).toBlob((b) => resolve(b ?? file), 'image/jpeg', SENT_QUALITY));
    const thumb = draw(image, thumbSize(image.width, image.height)).toDataURL('image/jpeg', 0.7);
    return { blob, thumb };
  } finally {
    image.close();
  }
}
