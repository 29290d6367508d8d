// What the service accepts from web browsers. A page on any site can send a "simple" request (a POST
// with Content-Type text/plain, form data, or no type) to 127.0.0.1 without the user's consent: it
// cannot read the answer, but the text is classified. Bodies must therefore be declared
// application/json (a page can only send that after a CORS preflight), or carry the binary tensor
// extension's header (likewise preflighted). A request a browser marks with a foreign Origin is
// refused unless that origin was allowed (--allow-origin); allowed origins get CORS headers.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';
import { inferenceHeaderLength } from './http';

export interface BrowserPolicy {
  /** Origins (scheme://host[:port]) whose pages may call the service; '*' allows every origin. */
  allowOrigins: string[];
}

/** The answer to a CORS preflight (OPTIONS), or undefined for a request to route. */
export interface Preflight {
  status: 204;
  headers: Record<string, string>;
}

const allowedHeaders = `Content-Type, Authorization, ${inferenceHeaderLength}`;

/**
 * Checks the request's Origin and, for a body, its Content-Type. Returns the CORS headers the answer
 * carries (none for a request without Origin: curl, the editor, other programs) and whether it is a
 * preflight to answer at once. Throws 403 (foreign origin) or 415 (body type).
 */
export function checkBrowserRequest(request: IncomingMessage, policy: BrowserPolicy): { cors: Record<string, string>; preflight?: Preflight } {
  const origin = request.headers.origin;
  let cors: Record<string, string> = {};
  if (origin !== undefined) {
    if (!policy.allowOrigins.includes('*') && !policy.allowOrigins.includes(origin)) {
      throw new HttpError(403, `Origin '${origin}' is not allowed: web pages may call this service only from an origin given with --allow-origin`);
    }
    cors = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    if (request.method === 'OPTIONS') {
      return {
        cors,
        preflight: {
          status: 204,
          headers: { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD, POST', 'Access-Control-Allow-Headers': allowedHeaders, 'Access-Control-Max-Age': '600' },
        },
      };
    }
  }
  if (request.method === 'POST') checkBodyType(request);
  return { cors };
}

function checkBodyType(request: IncomingMessage): void {
  if (request.headers[inferenceHeaderLength] !== undefined) return;
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type === 'application/json') return;
  throw new HttpError(
    415,
    `Content-Type '${request.headers['content-type'] ?? ''}' is not accepted: send the body as application/json (or the binary tensor form with ${inferenceHeaderLength})`,
  );
}
