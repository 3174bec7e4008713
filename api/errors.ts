/** An error a client can act on: the HTTP status, a stable code, and a sentence saying what to change. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const tooLarge = (message: string) => new ApiError(413, 'payload_too_large', message);
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new ApiError(503, 'unavailable', message, { 'retry-after': String(retryAfterSeconds) });
