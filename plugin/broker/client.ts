/**
 * A small JSON client for the broker's read API: one base URL, one bearer token, errors turned
 * into CliErrors with the next step. Uses Node's own fetch: nothing heavy is loaded for it.
 */
import { CliError } from '../errors.js';
import { brokerHttpError } from './errors.js';
import { BROKER_URL_ENV } from './options.js';
import type { BrokerConnection, BrokerOrigin } from './types.js';

export type Query = Record<string, string | number | undefined>;

export interface BrokerClient {
  baseUrl: string;
  getJson<T>(path: string, query?: Query): Promise<T>;
  /** Opens a GET whose body the caller reads (the SSE stream); non-200 answers still throw. */
  open(path: string, query: Query, headers: Record<string, string>, signal?: AbortSignal): Promise<Response>;
}

export function toSearchParams(query: Query): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.set(k, String(v));
  return p;
}

/** What to check next, by where the address came from. */
const NEXT_STEP: Readonly<Record<BrokerOrigin, string>> = {
  flag: `Is the broker running there? Check --broker-url (it overrides ${BROKER_URL_ENV})`,
  env: `Is the broker running there? Fix or unset ${BROKER_URL_ENV} (--broker-url overrides it)`,
  'port-forward': `Is kguardian installed and the broker running? Try --broker-namespace/--broker-service, or give its URL with --broker-url or ${BROKER_URL_ENV}`,
};

/** The broker could not be reached; `short` is the first sentence alone (for the watch's reconnect line). */
export class BrokerUnreachableError extends CliError {
  constructor(
    message: string,
    readonly short: string,
  ) {
    super(message);
    this.name = 'BrokerUnreachableError';
  }
}

function unreachable(baseUrl: string, origin: BrokerOrigin, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  const from = origin === 'env' ? ` (from ${BROKER_URL_ENV})` : '';
  const short = `cannot reach the broker at ${baseUrl}${from} (${why})`;
  return new BrokerUnreachableError(`${short}. ${NEXT_STEP[origin]}`, short);
}

export function brokerClient(conn: Pick<BrokerConnection, 'baseUrl' | 'token' | 'origin'>): BrokerClient {
  const auth: Record<string, string> = conn.token === undefined ? {} : { Authorization: `Bearer ${conn.token}` };
  async function open(path: string, query: Query, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const params = toSearchParams(query);
    const qs = params.toString();
    let res: Response;
    try {
      res = await fetch(`${conn.baseUrl}${path}${qs ? `?${qs}` : ''}`, { headers: { ...auth, ...headers }, signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw unreachable(conn.baseUrl, conn.origin, e);
    }
    if (res.status !== 200) throw brokerHttpError(res.status, await res.text(), { path, query: params, hadToken: conn.token !== undefined, baseUrl: conn.baseUrl });
    return res;
  }
  return {
    baseUrl: conn.baseUrl,
    open,
    async getJson<T>(path: string, query: Query = {}): Promise<T> {
      const res = await open(path, query, { Accept: 'application/json' });
      return (await res.json()) as T;
    },
  };
}
