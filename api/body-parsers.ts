import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyText } from './body-text.ts';
import { tooLarge } from './errors.ts';
import { XLSX } from './rows.ts';
import { readSheet } from './sheet.ts';

/**
 * An .xlsx is read whole, and that takes memory: a 2.6 MB sheet of 50,000 rows peaks at ~440 MB RSS (`npm run bench --
 * feeds`), so an upload has a limit of its own below the body limit; a bigger sheet goes in as CSV or in parts.
 */
export const XLSX_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/**
 * Bodies arrive as bytes (the body limit holds while they stream in) and are decoded here, so a GBK feed is read
 * as GBK and one in an encoding we cannot tell is refused, never stored garbled: JSON, NDJSON and CSV become text
 * (body-text.ts), an .xlsx its first sheet.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = bodyText(body as Buffer, request.headers['content-type']);
    } catch (err) {
      return done(err as Error);
    }
    json(request, text, done);
  });
  for (const type of ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/csv']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => bodyText(body, request.headers['content-type']));
  }
  app.addContentTypeParser(XLSX, { parseAs: 'buffer' }, async (_request: FastifyRequest, body: Buffer) => {
    if (body.length > XLSX_BODY_LIMIT_BYTES) {
      throw tooLarge(
        `an .xlsx upload is at most ${mib(XLSX_BODY_LIMIT_BYTES)} (this one is ${mib(body.length)}): split the sheet, or send it as CSV (text/csv)`,
      );
    }
    return readSheet(body);
  });
}
