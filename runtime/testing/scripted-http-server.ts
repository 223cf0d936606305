/**
 * A real HTTP server on a free local port that answers from a script, one answer per request,
 * and records what it was sent: the JSON client's tests run against real sockets, so resets,
 * timeouts and bodies behave as they do between the daemons.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedAnswer =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Closes the connection without an answer (the client sees a network error). */
  | { reset: true }
  /** Never answers (the client's timeout or signal ends the attempt). */
  | { hang: true };

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ScriptedServer {
  url: string;
  seen: SeenRequest[];
  /** Told of each request once it was read, before it is answered. */
  onRequest?: (r: SeenRequest) => void;
  close(): Promise<void>;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ScriptedAnswer =>
  ({ status, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

function answer(res: ServerResponse, a: ScriptedAnswer | undefined): void {
  if (a === undefined) {
    res.writeHead(500).end('{"error":"the script has no more answers"}');
  } else if ('reset' in a) {
    res.socket?.destroy();
  } else if (!('hang' in a)) {
    res.writeHead(a.status, a.headers).end(a.body);
  }
}

export async function startScriptedServer(script: ScriptedAnswer[]): Promise<ScriptedServer> {
  const answers = [...script];
  const s: ScriptedServer = { url: '', seen: [], close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      s.seen.push(seen);
      s.onRequest?.(seen);
      answer(res, answers.shift());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => { resolve(); }));
  };
  return s;
}
