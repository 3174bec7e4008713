import iconv from 'iconv-lite';
import { ApiError } from './errors.ts';

/** What a person can save a feed as: the two encodings every Excel writes CSV in. */
const SAVE_AS = "save the file as UTF-8 (Excel: 'CSV UTF-8 (逗号分隔)') or GBK/GB18030 (Excel on Chinese Windows: 'CSV (逗号分隔)')";

// The WHATWG Encoding Standard's labels for the two encodings (GBK is decoded as GB18030, its superset).
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8', 'us-ascii', 'ascii']);
const GB_LABELS = new Set([
  'gb18030',
  'gbk',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'chinese',
  'csgb2312',
  'csiso58gb231280',
  'iso-ir-58',
  'x-gbk',
  'cp936',
  'windows-936',
]);

const unsupported = (message: string) => new ApiError(415, 'unsupported_encoding', message);

export function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
}

/**
 * The text of a request body. A byte-order mark wins; then the Content-Type's `charset=` (UTF-8 or GBK/GB18030);
 * without one, UTF-8, or GB18030 when the bytes are not UTF-8 (nor UTF-8 with a few stray bytes) and decode as
 * GB18030 without a replacement character and do not look like Latin-1. Anything else is refused: a feed in an encoding we cannot be sure of
 * is never stored garbled.
 */
export function bodyText(bytes: Buffer, contentType: string | undefined): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), 'it starts with a UTF-8 byte-order mark');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw unsupported(`the body is UTF-16 (Excel's 'Unicode Text'); ${SAVE_AS}`);
  }
  const charset = charsetOf(contentType);
  if (charset === undefined) {
    const text = utf8OrNothing(bytes);
    if (text !== undefined) return text;
    // UTF-8 with a few stray bytes also decodes as GB18030, into garbage: GBK text has most of its bytes outside
    // UTF-8 sequences (measured 36-50 %), such a file almost none.
    const damage = utf8Damage(bytes);
    if (damage.share < 0.1) {
      throw unsupported(`line ${damage.firstLine} is not UTF-8 text while the rest of the body is; correct that line, or ${SAVE_AS}`);
    }
    const chinese = iconv.decode(bytes, 'gb18030');
    if (!chinese.includes('\ufffd') && westernShare(bytes) < 0.5) return chinese;
    throw unsupported(`the body is neither UTF-8 nor GBK/GB18030 text; ${SAVE_AS}, or name its encoding in the Content-Type (charset=)`);
  }
  if (UTF8_LABELS.has(charset)) return utf8(bytes, `the Content-Type says charset=${charset}`);
  if (GB_LABELS.has(charset)) {
    const text = iconv.decode(bytes, 'gb18030');
    if (text.includes('\ufffd')) throw unsupported(`the Content-Type says charset=${charset} but the body is not GBK/GB18030 text; ${SAVE_AS}`);
    return text;
  }
  throw unsupported(`charset=${charset} is not accepted; ${SAVE_AS} and send charset=utf-8 or charset=gbk`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8OrNothing(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function utf8(bytes: Buffer, why: string): string {
  const text = utf8OrNothing(bytes);
  if (text === undefined) throw unsupported(`${why} but the body is not valid UTF-8; ${SAVE_AS}`);
  return text;
}

/** The share of the non-ASCII bytes that are not part of a UTF-8 sequence, and the line of the first such byte. */
export function utf8Damage(bytes: Uint8Array): { share: number; firstLine: number } {
  let inSequences = 0;
  let stray = 0;
  let firstStray = -1;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    let whole = length > 0 && i + length <= bytes.length;
    for (let k = 1; whole && k < length; k++) whole = (bytes[i + k]! & 0xc0) === 0x80;
    if (whole) {
      inSequences += length;
      i += length;
    } else {
      if (firstStray < 0) firstStray = i;
      stray++;
      i++;
    }
  }
  const firstLine = firstStray < 0 ? 0 : bytes.subarray(0, firstStray).filter((b) => b === 0x0a).length + 1;
  return { share: stray === 0 ? 0 : stray / (stray + inSequences), firstLine };
}

/**
 * The share of GB18030 two-byte characters whose second byte is ASCII (0x40-0x7E). Those are rare hanzi in Chinese
 * text (under 2 %), but every accented letter followed by a plain one in Latin-1 or Windows-1252 text ("Zürich"),
 * which also decodes as GB18030 without a replacement character.
 */
export function westernShare(bytes: Uint8Array): number {
  let pairs = 0;
  let asciiSecond = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const next = bytes[i + 1] ?? 0;
    if (lead < 0x81) i++;
    else if (next >= 0x30 && next <= 0x39) i += 4;
    else {
      pairs++;
      if (next < 0x80) asciiSecond++;
      i += 2;
    }
  }
  return pairs === 0 ? 0 : asciiSecond / pairs;
}
