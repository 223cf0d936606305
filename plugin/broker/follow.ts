/**
 * Follows the broker's verdict stream for as long as the caller wants: on a dropped connection or
 * a broker restart it reconnects with Last-Event-ID (the last verdict id it handed on), backing off
 * 0.5 s, 1 s, 2 s ... up to 10 s, and says so on stderr. The broker sends verdicts in id order
 * and resumes strictly after Last-Event-ID, and ids at or below the last one are dropped here
 * too, so each verdict is handed on exactly once.
 */
import { abortableSleep } from '../../runtime/abortable-sleep.js';
import { backoffMs } from '../../runtime/backoff.js';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import { BrokerUnreachableError, type BrokerClient, type Query } from './client.js';
import { readSse } from './sse.js';
import type { StoredVerdict } from './types.js';

export interface FollowOptions {
  /** Hand on verdicts with ids above this. */
  afterId: number;
  signal?: AbortSignal;
  /** Waits between attempts; injectable so tests need not sleep. By default the wait ends when `signal` aborts. */
  delay?: (ms: number) => Promise<void>;
  maxBackoffMs?: number;
}

/** Where the follower is: kept outside each connection, so a connection that fails mid-stream still counts what it handed on. */
interface Position {
  last: number;
  /** True once the current connection handed something on (resets the backoff). */
  got: boolean;
}

/** One connection: hands on verdicts until the stream ends or fails. */
async function followOnce(client: BrokerClient, query: Query, pos: Position, onVerdict: (v: StoredVerdict) => void, signal?: AbortSignal): Promise<void> {
  pos.got = false;
  const res = await client.open('/audit/verdicts/stream', query, { Accept: 'text/event-stream', 'Last-Event-ID': String(pos.last) }, signal);
  if (!res.body) return;
  for await (const ev of readSse(res.body)) {
    if (ev.event !== 'verdict') continue;
    const v = JSON.parse(ev.data) as StoredVerdict;
    if (v.id <= pos.last) continue;
    pos.last = v.id;
    pos.got = true;
    onVerdict(v);
  }
}

function isRetryable(e: unknown): boolean {
  // Auth and bad-request answers will not heal by retrying; network failures and 5xx may.
  return !(e instanceof CliError) || /cannot reach the broker|answered 5\d\d/.test(e.message);
}

/**
 * Why the stream stopped, for the reconnect line: in words, and without the first connection's
 * advice on finding the broker (the address worked a moment ago). Node's fetch reports a
 * connection cut mid-body as a bare "terminated".
 */
function reconnectReason(e: unknown, baseUrl: string): string {
  if (e instanceof BrokerUnreachableError) return e.short;
  if (e instanceof CliError) return e.message;
  const detail = e instanceof Error ? e.message : String(e);
  return `lost the connection to the broker at ${baseUrl}${detail === '' || detail === 'terminated' ? '' : ` (${detail})`}`;
}

export async function followVerdicts(client: BrokerClient, query: Query, io: CliIO, onVerdict: (v: StoredVerdict) => void, opts: FollowOptions): Promise<void> {
  // A stop (Ctrl-C) during a backoff ends the wait at once instead of after up to maxBackoffMs.
  const delay = opts.delay ?? ((ms: number): Promise<void> => abortableSleep(ms, opts.signal));
  const max = opts.maxBackoffMs ?? 10_000;
  const pos: Position = { last: opts.afterId, got: false };
  // Failed connections in a row; one that handed something on starts the count again.
  let failures = 0;
  while (!opts.signal?.aborted) {
    let why = 'the broker closed the stream';
    try {
      await followOnce(client, query, pos, onVerdict, opts.signal);
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (!isRetryable(e)) throw e;
      why = reconnectReason(e, client.baseUrl);
    }
    if (opts.signal?.aborted) return;
    failures = pos.got ? 1 : failures + 1;
    const backoff = backoffMs(failures, { initialMs: 500, maxMs: max });
    io.stderr.write(`watch: ${why}; reconnecting in ${(backoff / 1000).toFixed(1)} s (resuming after verdict ${pos.last})\n`);
    await delay(backoff);
  }
}
