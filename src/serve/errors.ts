// An error that knows its HTTP status. Handlers throw it; the router turns it into `{"error": message}`.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);
/** The engine is restarting or the server is shutting down: the client may retry shortly. */
export const unavailable = (message: string, retryAfterSeconds = 1) =>
  new HttpError(503, message, { 'Retry-After': String(retryAfterSeconds) });
