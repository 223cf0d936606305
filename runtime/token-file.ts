/**
 * A bearer token read from a file: the agent's to the broker, the broker's to the evaluator and
 * back. In the cluster it is a projected ServiceAccount token, which the kubelet rotates in place
 * (an atomic swap of the `..data` symlink, typically hourly, long before expiry), so the file is
 * read again every `refreshMs` rather than once at start-up. A failed or empty re-read keeps the
 * last token: a rotation in progress must not drop authentication.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Where Kubernetes mounts a pod's ServiceAccount token. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface TokenSource {
  /** The current token, or undefined when there is none (the call goes out without one). */
  token(): Promise<string | undefined>;
}

export interface FileTokenOptions {
  /** How long a read token is used before the file is read again; default 60 s, 0 reads on every call. */
  refreshMs?: number;
  now?: () => number;
  read?: (path: string) => Promise<string>;
  onError?: (err: unknown) => void;
}

/** EVALUATOR_TOKEN_FILE when set, else the ServiceAccount token when the pod has one, else none. */
export function evaluatorTokenPath(env: NodeJS.ProcessEnv, exists: (p: string) => boolean = existsSync): string | undefined {
  const set = env.EVALUATOR_TOKEN_FILE;
  if (set !== undefined && set !== '') return set;
  return exists(SERVICE_ACCOUNT_TOKEN) ? SERVICE_ACCOUNT_TOKEN : undefined;
}

export function fileTokenSource(path: string, opts: FileTokenOptions = {}): TokenSource {
  const refreshMs = opts.refreshMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const read = opts.read ?? ((p: string) => readFile(p, 'utf8'));
  let cached: string | undefined;
  let readAt = -Infinity;
  return {
    async token(): Promise<string | undefined> {
      if (now() - readAt < refreshMs) return cached;
      readAt = now();
      try {
        const text = (await read(path)).trim();
        if (text !== '') cached = text;
      } catch (err) {
        opts.onError?.(err);
      }
      return cached;
    },
  };
}

export const noToken: TokenSource = { token: () => Promise.resolve(undefined) };
