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
 * without one, UTF-8, or GB18030 when the bytes are not UTF-8 and decode as GB18030 without a replacement
 * character. Anything else is refused: a feed in an encoding we cannot be sure of is never stored garbled.
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
    const chinese = iconv.decode(bytes, 'gb18030');
    if (!chinese.includes('\ufffd')) return chinese;
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
