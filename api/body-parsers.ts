import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyText } from './body-text.ts';
import { XLSX } from './rows.ts';
import { readSheet } from './sheet.ts';

/**
 * An .xlsx is read whole: ~150 MB of memory per MB of file (measured, README), so it has a limit of its own below
 * the body limit.
 */
export const XLSX_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Bodies arrive as bytes (the body limit holds while they stream in) and are decoded here, so a GBK feed is read
 * as GBK and one in an encoding we cannot tell is refused, never stored garbled: JSON, NDJSON and CSV become text
 * (body-text.ts), an .xlsx its first sheet.
 */
export function registerBodyParsers(app: FastifyInstance, bodyLimitBytes: number): void {
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
  app.addContentTypeParser(
    XLSX,
    { parseAs: 'buffer', bodyLimit: Math.min(XLSX_BODY_LIMIT_BYTES, bodyLimitBytes) },
    async (_request: FastifyRequest, body: Buffer) => readSheet(body),
  );
}
