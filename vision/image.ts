import sharp, { type Metadata } from 'sharp';

/** Images larger than this are refused before decoding (a pixel bomb expands to gigabytes). */
export const MAX_INPUT_PIXELS = 60_000_000;
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff']);
/**
 * Whether this sharp can decode HEVC-coded HEIF (iPhone "High Efficiency" photos). The prebuilt sharp carries
 * libheif for AVIF only (HEVC needs libde265, which it leaves out for patent reasons) and then lists only `.avif`.
 */
const HEVC_DECODER = sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;

/** What a merchandiser does about an iPhone HEIC photo, in both languages (the capture page converts them itself). */
export const HEIC_ADVICE =
  'HEIC photos (iPhone "High Efficiency") cannot be read here: set Settings → Camera → Formats to "Most Compatible" (JPEG) and retake, or upload through the web capture page, which converts them. ' +
  '无法读取 HEIC 照片（iPhone「高效」格式）：请在 设置 → 相机 → 格式 中选择「兼容性最佳」（JPEG）后重拍，或通过网页拍照页面上传（会自动转换）。';

/** A photo that cannot be used at all: not an image, truncated, empty, too many pixels, HEIC without a decoder. */
export class UnreadableImageError extends Error {
  override name = 'UnreadableImageError';
  constructor(
    readonly reason: 'empty' | 'not_an_image' | 'unsupported_format' | 'heic_unsupported' | 'corrupt' | 'too_many_pixels',
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedPhoto {
  format: string;
  /** Upright (EXIF orientation applied) dimensions. */
  width: number;
  height: number;
  /**
   * The upright image as JPEG without metadata (location, device), at most 2048 px on its long side. Encoded on the
   * first call (the same promise after), so that a caller that stores nothing pays nothing and the analysis chooses
   * when sharp's threads take it on.
   */
  derivative: () => Promise<Buffer>;
  /** The derivative's pixels (RGB), which the detector reads: boxes are in the stored image's pixels. */
  rgb: { data: Buffer; width: number; height: number };
  /**
   * The same upright pixels at twice `rgb`'s size where `rgb` was reduced (as decoded: at most the photo's own), else
   * `rgb` itself: packs read up close sample it, where a small pack's logo is a few pixels in `rgb`.
   */
  closeUp: { data: Buffer; width: number; height: number };
  /** Upright greyscale pixels at most 1024 px on the long side, for the quality gate; made on the first call, as `derivative`. */
  grey: () => Promise<{ data: Buffer; width: number; height: number }>;
}

/** A job started on the first call; every call returns its one promise (a rejection nobody awaits yet is not "unhandled"). */
function onFirstCall<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (!started) {
      started = start();
      started.catch(() => {});
    }
    return started;
  };
}

const corrupt = (err: Error) => new UnreadableImageError('corrupt', `the image is damaged or truncated: ${err.message}`);

export async function decodePhoto(input: Buffer): Promise<DecodedPhoto> {
  if (input.length === 0) throw new UnreadableImageError('empty', 'the file is empty');
  let metadata: Metadata;
  try {
    // The header alone: a pixel bomb is measured here, before anything is decoded.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new UnreadableImageError('not_an_image', `not an image sharp can read: ${(err as Error).message}`);
  }
  if (!metadata.format || !ACCEPTED_FORMATS.has(metadata.format)) {
    throw new UnreadableImageError('unsupported_format', `format ${metadata.format ?? 'unknown'} is not accepted; send JPEG, PNG or WebP`);
  }
  // The header names the codec: refused with advice here rather than as a "damaged" photo after a failed decode.
  if (metadata.compression === 'hevc' && !HEVC_DECODER) throw new UnreadableImageError('heic_unsupported', HEIC_ADVICE);
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > MAX_INPUT_PIXELS) {
    throw new UnreadableImageError('too_many_pixels', `${metadata.width}×${metadata.height} is more than ${MAX_INPUT_PIXELS / 1e6} megapixels`);
  }
  const rotated = (metadata.orientation ?? 1) >= 5;
  const width = rotated ? metadata.height! : metadata.width!;
  const height = rotated ? metadata.width! : metadata.height!;
  // Halve until the long side fits 2048 px (a plain box shrink). sharp decodes a JPEG reduced by libjpeg only for a
  // shrink of 3x or more (it steps its shrink-on-load down when the factor is exactly 2), so a 12 MP photo is decoded
  // whole, about 110 ms of CPU, and halved; a 24 MP one is decoded at half size and halved again.
  let factor = 1;
  while (Math.max(width, height) / factor > 2048) factor *= 2;
  try {
    // failOn 'truncated': a cut-off upload is refused rather than analysed half grey.
    // One decode: the upright pixels at twice the analysed size (the close-up), reduced once more into those that feed
    // the stored JPEG, the detector, the OCR crops and the quality gate. A 12 MP photo is decoded whole either way.
    const closeFactor = Math.max(1, factor / 2);
    const closeUp = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'truncated' })
      .rotate()
      .resize(Math.floor(width / closeFactor), Math.floor(height / closeFactor), { fit: 'fill', fastShrinkOnLoad: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb =
      closeFactor === factor
        ? closeUp
        : await sharp(closeUp.data, { raw: { width: closeUp.info.width, height: closeUp.info.height, channels: 3 } })
            .resize(Math.floor(width / factor), Math.floor(height / factor), { fit: 'fill' })
            .raw()
            .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: rgb.info.width, height: rgb.info.height, channels: 3 as const } };
    // Without Huffman optimisation (a second pass over the image): 48 -> 18 ms of CPU for 3% more bytes.
    const derivative = onFirstCall(() => sharp(rgb.data, raw).jpeg({ quality: 85, optimiseCoding: false }).toBuffer());
    // Grey after the resize: sharp's greyscale() converts before it, through linear light in floats, at the full size
    // (33 ms of CPU, taken from the detector's letterbox beside it); after the resize, 10 ms. The gate reads the same
    // brightness and a sharpness within 1.5 % (dm photos; rendered bays plain, blurred, dark and overexposed).
    const grey = onFirstCall(() =>
      sharp(rgb.data, raw)
        .resize(1024, 1024, { fit: 'inside', withoutEnlargement: true })
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true })
        .then(
          ({ data, info }) => ({ data, width: info.width, height: info.height }),
          (err: Error) => Promise.reject(corrupt(err)),
        ),
    );
    return {
      format: metadata.format,
      width,
      height,
      derivative,
      rgb: { data: rgb.data, width: rgb.info.width, height: rgb.info.height },
      closeUp: { data: closeUp.data, width: closeUp.info.width, height: closeUp.info.height },
      grey,
    };
  } catch (err) {
    throw corrupt(err as Error);
  }
}
