/**
 * The Would-Deny web view's files under `/ui/`: one HTML page, one script, one stylesheet, built
 * by build.ts into a folder (the image's `daemons/broker/ui/assets`, or `uiDir` in tests). Nothing
 * is loaded from anywhere else: the Content-Security-Policy admits only this origin's script and
 * style files, so no inline script can run even if data ever reached the page unescaped. The page
 * reads verdicts through the same API routes as the CLI, each checked there (TokenReview and
 * SubjectAccessReview); the files themselves need a valid token, like /openapi.json.
 *
 * Each file is read and gzipped once, then served gzipped to a browser that accepts it (the
 * script shrinks to about a third, which counts through a port-forward) with an ETag: the page
 * is revalidated on every load (`no-cache`, so the token is still checked each time) and an
 * unchanged file costs a 304 instead of its bytes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { HttpError } from '../../../runtime/http-error.js';
import { requireIdentity, type AuthEnv } from '../../../runtime/auth/require-access.js';
import type { Authenticator } from '../../../runtime/auth/types.js';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Every file the page has; nothing else under /ui/ is served, so no path reaches the disk. */
export const UI_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export const DEFAULT_UI_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

export interface UiDeps {
  auth: Authenticator;
  /** Where build.ts wrote the files; default `assets/` beside this module. */
  uiDir?: string | undefined;
}

/** One file as served: its bytes, gzipped once, and the tag of its content. */
interface UiFile {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** True when an Accept-Encoding header admits gzip (`gzip` or `*`, not with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** True when If-None-Match names this file's content (either encoding's tag, or `*`). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const base = etag.slice(1, -1);
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || tag === `"${base}-gz"`;
  });
}

function securityHeaders(c: Context): void {
  c.header('Content-Security-Policy', UI_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
}

export function uiRoutes(deps: UiDeps): Hono<AuthEnv> {
  const dir = deps.uiDir ?? DEFAULT_UI_DIR;
  const cache = new Map<string, UiFile>();
  const load = async (name: string): Promise<UiFile> => {
    const hit = cache.get(name);
    if (hit) return hit;
    try {
      const body = await readFile(join(dir, name));
      const file = { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
      cache.set(name, file);
      return file;
    } catch {
      throw new HttpError(503, `the web view is not built into this broker (${name} missing in ${dir}; run scripts/build-ui.sh)`);
    }
  };
  const app = new Hono<AuthEnv>();
  app.get('/ui', function uiRedirect(c) {
    return c.redirect('/ui/', 308);
  });
  app.get('/ui/:file{.*}', requireIdentity(deps.auth), async function uiFile(c) {
    const name = c.req.param('file') || 'index.html';
    const type = UI_FILES[name];
    if (type === undefined) throw new HttpError(404, `no such file in the web view: ${JSON.stringify(name)}`);
    const file = await load(name);
    securityHeaders(c);
    c.header('Cache-Control', 'no-cache');
    c.header('Vary', 'Accept-Encoding');
    const gzip = acceptsGzip(c.req.header('accept-encoding'));
    const etag = gzip ? `"${file.etag.slice(1, -1)}-gz"` : file.etag;
    c.header('ETag', etag);
    if (notModified(c.req.header('if-none-match'), file.etag)) return c.body(null, 304);
    c.header('Content-Type', type);
    if (!gzip) return c.body(new Uint8Array(file.body));
    c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(file.gzip));
  });
  return app;
}
