// The web view's files as the broker serves them: built by the project's own build (ui/build.ts),
// behind a valid token, with a strict Content-Security-Policy and a page that has no inline script.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../runtime/auth/types.js';
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import type { Store } from '../store/types.js';
import { testApp, type TestApp } from '../testing/test-app.js';
import { buildUi } from './build.js';
import { acceptsGzip, UI_CSP } from './route.js';

const auth: Authenticator = {
  mode: 'static',
  authenticate: (token) => Promise.resolve(token === 'nobody' ? { username: token, groups: [] } : null),
  // Reading the page's files needs only a known caller: `nobody` may read no verdict at all.
  authorize: () => Promise.resolve(false),
};
const AS_NOBODY = { Authorization: 'Bearer nobody' };

let dir: string;
let store: Store;
let t: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kg-ui-'));
  await buildUi(dir);
  store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION);
  t = testApp(store, new Date(), { auth, uiDir: dir });
}, 60_000);

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /ui/', () => {
  it.each([
    { path: '/ui/', type: 'text/html; charset=utf-8' },
    { path: '/ui/index.html', type: 'text/html; charset=utf-8' },
    { path: '/ui/app.js', type: 'text/javascript; charset=utf-8' },
    { path: '/ui/app.css', type: 'text/css; charset=utf-8' },
  ])('serves $path as $type with the security headers', async ({ path, type }) => {
    const r = await t.get(path, AS_NOBODY);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(type);
    expect(r.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });

  it('allows script and style only from its own origin: no inline script, no eval, no other host', () => {
    const rules: Record<string, string[]> = Object.fromEntries(UI_CSP.split('; ').map((d) => [d.split(' ')[0] ?? '', d.split(' ').slice(1)]));
    expect(rules['default-src']).toEqual(["'none'"]);
    expect(rules['script-src']).toEqual(["'self'"]);
    expect(rules['style-src']).toEqual(["'self'"]);
    expect(rules['connect-src']).toEqual(["'self'"]);
    expect(UI_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('has a page whose scripts all load from files, with no inline handler or style', async () => {
    const html = await (await t.get('/ui/', AS_NOBODY)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBe(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="app\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style/i);
  });

  it('loads nothing from another host (works offline) and stays within 150 KB of gzipped script', async () => {
    const [html, css, js] = await Promise.all(['index.html', 'app.css', 'app.js'].map((f) => readFile(join(dir, f), 'utf8')));
    expect(`${html}${css}`).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect([...(js ?? '').matchAll(/https?:\/\/[^"'\s]+/g)].map((m) => m[0])).toEqual(expect.arrayContaining([]));
    // The only URL in the script is the SVG namespace name, which is never fetched.
    expect((js ?? '').match(/https?:\/\/[^"'\s]+/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
    expect(gzipSync(js ?? '').length).toBeLessThan(150 * 1024);
  });

  it.each([
    { title: 'no token', headers: {}, status: 401 },
    { title: 'an unknown token', headers: { Authorization: 'Bearer forged' }, status: 401 },
  ])('refuses $title: $status naming Authorization', async ({ headers, status }) => {
    for (const path of ['/ui/', '/ui/app.js']) {
      const r = await t.get(path, headers as Record<string, string>);
      expect(r.status).toBe(status);
      expect(((await r.json()) as { field?: string }).field).toBe('Authorization');
    }
  });

  it.each(['index.html', 'app.js', 'app.css'])('serves %s gzipped to a browser that accepts it, the same bytes once unzipped', async (name) => {
    const plain = await t.get(`/ui/${name}`, AS_NOBODY);
    const zipped = await t.get(`/ui/${name}`, { ...AS_NOBODY, 'Accept-Encoding': 'gzip, deflate, br' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(gunzipSync(bytes).toString('utf8')).toBe(await readFile(join(dir, name), 'utf8'));
    expect(bytes.length).toBeLessThan(Buffer.from(await plain.arrayBuffer()).length);
  });

  it.each([
    { header: undefined, gzip: false },
    { header: 'identity', gzip: false },
    { header: 'gzip', gzip: true },
    { header: 'deflate, gzip;q=0.5', gzip: true },
    { header: 'GZIP', gzip: true },
    { header: 'gzip;q=0', gzip: false },
    { header: 'gzip; q=0.0, br', gzip: false },
    { header: '*', gzip: true },
    { header: 'x-gzip', gzip: false },
  ])('Accept-Encoding $header admits gzip: $gzip', ({ header, gzip }) => {
    expect(acceptsGzip(header)).toBe(gzip);
  });

  it('answers 304 to a browser that holds the current file (either encoding\'s tag), and the file to one that holds another', async () => {
    const first = await t.get('/ui/app.js', { ...AS_NOBODY, 'Accept-Encoding': 'gzip' });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+-gz"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await t.get('/ui/app.js', { ...AS_NOBODY, 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('content-security-policy')).toBe(UI_CSP);
    const plainTag = (await t.get('/ui/app.js', AS_NOBODY)).headers.get('etag') ?? '';
    expect(plainTag).toBe(etag.replace('-gz"', '"'));
    expect((await t.get('/ui/app.js', { ...AS_NOBODY, 'If-None-Match': `W/${etag}` })).status).toBe(304);
    expect((await t.get('/ui/app.js', { ...AS_NOBODY, 'If-None-Match': '"something-else"' })).status).toBe(200);
    // The other files have their own tags.
    expect((await t.get('/ui/app.css', { ...AS_NOBODY, 'If-None-Match': etag })).status).toBe(200);
  });

  it('checks the token before answering 304: a revalidation without one is refused', async () => {
    const etag = (await t.get('/ui/app.js', AS_NOBODY)).headers.get('etag') ?? '';
    for (const headers of [{}, { Authorization: 'Bearer forged' }] as Record<string, string>[]) {
      const r = await t.get('/ui/app.js', { ...headers, 'If-None-Match': etag });
      expect(r.status).toBe(401);
    }
  });

  it('redirects /ui to /ui/', async () => {
    const r = await t.get('/ui', AS_NOBODY);
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe('/ui/');
  });

  it.each(['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/route.ts', '/ui/client/main.ts', '/ui/app.js.map'])('serves nothing else: %s is 404', async (path) => {
    const r = await t.get(path, AS_NOBODY);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('answers 503 naming the build script when the files were never built', async () => {
    const bare = testApp(store, new Date(), { auth, uiDir: join(dir, 'missing') });
    const r = await bare.get('/ui/', AS_NOBODY);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toMatch(/scripts\/build-ui\.sh/);
  });
});
