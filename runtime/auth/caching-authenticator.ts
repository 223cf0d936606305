/**
 * An Authenticator over a ReviewApi that remembers answers for a short time: every request
 * carries a token, and a TokenReview plus a SubjectAccessReview per request would double the
 * API server's load for nothing. Tokens are keyed by their SHA-256 (never kept in clear);
 * refusals are cached more briefly than grants so a fresh RoleBinding takes effect quickly.
 * When the API server cannot be asked, the request gets a 503, never a silent grant.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../http-error.js';
import type { Clock } from '../clock.js';
import type { ReviewApi } from './kubernetes-reviews.js';
import type { Access, Authenticator, Identity } from './types.js';

export interface CacheOptions {
  clock: Clock;
  ttlMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
}

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly clock: Clock, private readonly max: number) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    // Oldest first out: Map keeps insertion order.
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires: this.clock.now().getTime() + ttlMs });
  }
}

async function ask<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new HttpError(503, `cannot check ${what} with the Kubernetes API server: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function cachingAuthenticator(api: ReviewApi, opts: CacheOptions): Authenticator {
  const ttl = opts.ttlMs ?? 10_000;
  const negativeTtl = opts.negativeTtlMs ?? 2_000;
  const tokens = new TtlCache<Identity | null>(opts.clock, opts.maxEntries ?? 10_000);
  const decisions = new TtlCache<boolean>(opts.clock, opts.maxEntries ?? 10_000);
  return {
    mode: 'kubernetes',
    async authenticate(token: string): Promise<Identity | null> {
      const key = createHash('sha256').update(token).digest('hex');
      const cached = tokens.get(key);
      if (cached !== undefined) return cached;
      const who = await ask('the token', () => api.tokenReview(token));
      tokens.set(key, who, who ? ttl : negativeTtl);
      return who;
    },
    async authorize(who: Identity, access: Access): Promise<boolean> {
      const key = JSON.stringify([who.username, who.uid, [...who.groups].sort(), access.verb, access.resource, access.namespace ?? null]);
      const cached = decisions.get(key);
      if (cached !== undefined) return cached;
      const allowed = await ask('access', () => api.accessReview(who, access));
      decisions.set(key, allowed, allowed ? ttl : negativeTtl);
      return allowed;
    },
  };
}
