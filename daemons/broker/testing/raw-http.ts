/**
 * Raw HTTP/1.1 over a socket, for tests that need what fetch() cannot do: send the headers and
 * part of a body and then stall (a slow upload), or read the answer before the body is sent.
 */
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with everything received once the server closes the connection. */
  closed: Promise<string>;
  /** Resolves once `pattern` appears in what was received. */
  waitFor(pattern: RegExp): Promise<string>;
}

export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  const watchers: { pattern: RegExp; resolve: (t: string) => void }[] = [];
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(text)) w.resolve(text);
      else watchers.push(w);
    }
  });
  socket.on('error', () => undefined); // a reset after the server gave up on us: `closed` says so
  const closed = new Promise<string>((resolve) => socket.once('close', () => { resolve(text); }));
  return {
    socket,
    received: () => text,
    closed,
    waitFor: (pattern) =>
      pattern.test(text)
        ? Promise.resolve(text)
        : new Promise((resolve, reject) => {
            watchers.push({ pattern, resolve });
            void closed.then((t) => {
              if (pattern.test(t)) resolve(t);
              else reject(new Error(`connection closed without ${String(pattern)}: ${t.slice(0, 200)}`));
            });
          }),
  };
}

/** The request line and headers of a JSON POST whose body is `contentLength` bytes long. */
export function postHead(path: string, contentLength: number, extra: Record<string, string> = {}): string {
  const headers = { Host: '127.0.0.1', 'Content-Type': 'application/json', 'Content-Length': String(contentLength), ...extra };
  return `POST ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}
