/**
 * Serves the broker's app over HTTP with Node's server timeouts set. Node's defaults let a client
 * take 60 s to send its headers and 5 minutes to send its body; connections that trickle a byte a
 * second would be held that long. The broker reads bodies before an ingest slot is taken (see
 * middleware/json-body.ts), so such clients cost only their own connection, and these timeouts
 * bound how long: past them Node answers 408 and closes the connection. The request timeout
 * covers receiving the request only, so a long verdict stream is not cut.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Time allowed to receive the request headers (ms). */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request, body included (ms). */
  requestTimeoutMs: number;
}

export function startHttpServer(
  fetch: (req: Request) => Response | Promise<Response>,
  opts: HttpServerOptions,
  onListening?: (info: AddressInfo) => void,
): ServerType {
  return serve(
    {
      fetch,
      hostname: opts.host,
      port: opts.port,
      serverOptions: {
        headersTimeout: opts.headersTimeoutMs,
        requestTimeout: opts.requestTimeoutMs,
        // How often Node looks for connections past those timeouts (default 30 s, longer than them).
        connectionsCheckingInterval: Math.min(1000, opts.headersTimeoutMs),
      },
    },
    onListening,
  );
}
