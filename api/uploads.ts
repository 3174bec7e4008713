import type { FastifyRequest } from 'fastify';
import type { Upload } from '../pipelines/photo-intake.ts';
import { ApiError, badRequest } from './errors.ts';

/** Limits of every multipart upload (shelf photos, reference images); @fastify/multipart enforces them. */
export const UPLOAD_LIMITS = { fileSize: 25 * 1024 * 1024, files: 10, fields: 10, parts: 20, fieldSize: 1024 };

/** The files and fields of a multipart request; an upload over the limits is refused with what to change. */
export async function readUploads(request: FastifyRequest, what: string): Promise<{ fields: Record<string, string>; uploads: Upload[] }> {
  if (!request.isMultipart()) throw badRequest(`send the ${what} as multipart/form-data`);
  const fields: Record<string, string> = {};
  const uploads: Upload[] = [];
  // Refused only once the whole body is read: a request left half-read would stall the connection it came on.
  let tooLong: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') uploads.push({ filename: part.filename || what, bytes: await part.toBuffer() });
      // The parser cuts a long field short; a cut store id would be looked up as another store.
      else if (part.valueTruncated) tooLong ??= part.fieldname;
      else fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'photo_too_large', `a file is larger than ${UPLOAD_LIMITS.fileSize / 1024 / 1024} MB`);
    if (code.startsWith('FST_')) throw badRequest(`the upload could not be read: ${(err as Error).message}`);
    throw err;
  }
  if (tooLong !== undefined) {
    throw badRequest(`field ${tooLong} is longer than ${UPLOAD_LIMITS.fieldSize} bytes (a file sent without a file name arrives as a field)`);
  }
  return { fields, uploads };
}
