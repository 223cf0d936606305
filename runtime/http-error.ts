/**
 * The one error type routes and middleware throw: an HTTP status, a sentence for people, and the
 * request field it concerns (`flows[3].src.ip`, `since`, `body`). The app's error handler turns it
 * into `{"error": "...", "field": "..."}`; anything else becomes a 500 (or a 503 when the database
 * is unreachable).
 */

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 429 | 503,
    message: string,
    readonly field?: string,
    /** Extra members of the JSON body, such as the index of a rejected flow. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 naming the field that is wrong. */
export function badRequest(field: string, message: string, details?: Record<string, unknown>): HttpError {
  return new HttpError(400, message, field, details);
}
