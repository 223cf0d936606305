/**
 * Builds the Authenticator for AUTH_MODE: `kubernetes` (TokenReview + SubjectAccessReview with
 * the in-cluster or KUBECONFIG credentials) or `none` (no checks at all: the local demo only,
 * and said so loudly at start-up).
 *
 * @kubernetes/client-node is imported only in kubernetes mode: version 2 asks for undici 8, which
 * does not load on Node 20 (package.json overrides it with undici 7), and should the client fail to
 * load again, the demo, which never needs it, must start anyway.
 */
import { systemClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { cachingAuthenticator } from './caching-authenticator.js';
import { noAuth, type Authenticator } from './types.js';

export async function createAuthenticator(mode: 'kubernetes' | 'none', logger: Logger): Promise<Authenticator> {
  if (mode === 'none') {
    logger.error('AUTH_MODE=none: EVERY REQUEST IS ALLOWED WITHOUT A TOKEN. Use this for the local demo only, never in a cluster.');
    return noAuth;
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { kubernetesReviews } = await import('./kubernetes-reviews.js');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return cachingAuthenticator(kubernetesReviews(kc), { clock: systemClock });
}
