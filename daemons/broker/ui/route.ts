/**
 * The Would-Deny web view's files under `/ui/`: one HTML page, one script, one stylesheet, built
 * by build.ts into a folder (the image's `daemons/broker/ui/assets`, or `uiDir` in tests). Nothing
 * is loaded from anywhere else: the Content-Security-Policy admits only this origin's script and
 * style files, so no inline script can run even if data ever reached the page unescaped. The page
 * reads verdicts through the same API routes as the CLI, each checked there (TokenReview and
 * SubjectAccessReview); the files themselves need a valid token, like /openapi.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

function securityHeaders(c: Context): void {
  c.header('Content-Security-Policy', UI_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
}

export function uiRoutes(deps: UiDeps): Hono<AuthEnv> {
  const dir = deps.uiDir ?? DEFAULT_UI_DIR;
  const cache = new Map<string, Buffer>();
  const load = async (name: string): Promise<Buffer> => {
    const hit = cache.get(name);
    if (hit) return hit;
    try {
      const body = await readFile(join(dir, name));
      cache.set(name, body);
      return body;
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
    const body = await load(name);
    securityHeaders(c);
    c.header('Content-Type', type);
    c.header('Cache-Control', 'no-cache');
    return c.body(new Uint8Array(body));
  });
  return app;
}
