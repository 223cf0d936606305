/**
 * The local proxy of `kubectl kguardian ui`, on 127.0.0.1 only: it forwards the web view's files
 * and the broker's read routes to the broker, adding the user's bearer token (as `kubectl proxy`
 * adds credentials), and answers the session and policy list itself (ui/policies.ts). The browser
 * never sees the token. Only GET and HEAD, only those paths, and only requests addressed to this
 * host name and port (a page of another site resolving its own name to 127.0.0.1 is refused).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { UiPolicyList, UiSession } from '../../contracts/web-view.js';
import { UI_API } from '../../contracts/web-view.js';
import { CliError } from '../errors.js';

export interface UiProxyOptions {
  brokerUrl: string;
  token: string | undefined;
  session: UiSession;
  policies(): Promise<UiPolicyList>;
  /** 0: any free port. */
  port: number;
}

export interface UiProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Broker routes the page reads; everything else is refused here before reaching the broker. */
const FORWARDED = new Set(['/audit/verdicts', '/audit/verdicts/stream', '/audit/summary']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer']);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function forward(o: UiProxyOptions, req: IncomingMessage, res: ServerResponse, path: string): void {
  const target = new URL(path, o.brokerUrl);
  const headers: Record<string, string> = {};
  for (const h of ['accept', 'last-event-id', 'accept-encoding', 'if-none-match']) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const up = send(target, { method: req.method, headers }, (r) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(r.statusCode ?? 502, out);
    r.pipe(res);
    // A broker connection cut mid-stream must cut the browser's too, or its EventSource would
    // wait forever instead of reconnecting with Last-Event-ID.
    r.on('close', () => {
      if (!res.writableEnded) res.destroy();
    });
  });
  up.on('error', (e) => {
    if (!res.headersSent) json(res, 502, { error: `the broker at ${o.brokerUrl} could not be reached: ${e.message}` });
    else res.destroy();
  });
  res.on('close', () => up.destroy());
  up.end();
}

/** Answers one request: refused, answered here, or forwarded to the broker. */
async function handle(o: UiProxyOptions, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (!hosts.has(req.headers.host ?? '')) {
    json(res, 403, { error: 'this proxy answers only requests addressed to 127.0.0.1 or localhost', field: 'Host' });
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    json(res, 405, { error: 'the web view only reads: GET and HEAD' });
  } else if (path === '/') {
    res.writeHead(302, { Location: '/ui/' });
    res.end();
  } else if (path === UI_API.session) {
    json(res, 200, o.session);
  } else if (path === UI_API.policies) {
    try {
      json(res, 200, await o.policies());
    } catch (e) {
      json(res, 502, { error: (e as Error).message });
    }
  } else if (path === '/ui' || path.startsWith('/ui/') || FORWARDED.has(path)) {
    forward(o, req, res, `${path}${url.search}`);
  } else {
    json(res, 404, { error: `not served by the kguardian ui proxy: ${path}` });
  }
}

/** Why the view could not listen, in one sentence naming the port and what to do (not Node's "Error: listen EADDRINUSE ..."). */
function listenError(port: number, e: NodeJS.ErrnoException): CliError {
  if (e.code === 'EADDRINUSE') return new CliError(`--port ${port}: 127.0.0.1:${port} is already in use by another program; choose another port with --port, or leave --port out for any free port`);
  if (e.code === 'EACCES') return new CliError(`--port ${port}: not allowed to listen on 127.0.0.1:${port} (ports below 1024 need privileges); choose a port from 1024 to 65535 with --port, or leave --port out for any free port`);
  return new CliError(`cannot listen on 127.0.0.1:${port}: ${e.message}`);
}

export async function startUiProxy(o: UiProxyOptions): Promise<UiProxy> {
  const hosts = new Set<string>();
  const server: Server = createServer((req, res) => {
    handle(o, hosts, req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => { reject(listenError(o.port, e)); });
    server.listen(o.port, '127.0.0.1', () => { resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  hosts.add(`127.0.0.1:${port}`).add(`localhost:${port}`);
  return {
    url: `http://127.0.0.1:${port}/ui/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      }),
  };
}
