/**
 * Who is calling and what they may do. The broker asks two questions of an Authenticator: whose
 * is this bearer token (Kubernetes TokenReview in the cluster), and may they do this (a
 * SubjectAccessReview, so `kubectl auth can-i` rules decide). Reads need `get` on
 * `auditverdicts.kguardian.dev` (in the namespace queried, if any); agents need `create` on
 * `flows.kguardian.dev`.
 */

export { GROUP as AUTH_GROUP } from '../../contracts/audit-policy-api.js';

export interface Identity {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface Access {
  verb: 'get' | 'create';
  /**
   * Not served by any API: RBAC rules name them so the cluster's own authoriser decides.
   * `evaluations`: the broker calling the evaluator's POST /evaluate. `replays`: the evaluator
   * asking the broker to re-judge a policy's recorded window.
   */
  resource: 'auditverdicts' | 'flows' | 'evaluations' | 'replays';
  /** Namespace-scoped check when set; cluster-wide otherwise. */
  namespace?: string;
}

export interface Authenticator {
  /** 'none' skips every check (the local demo only). */
  readonly mode: 'none' | 'kubernetes' | 'static';
  /** The token's identity, or null when the token is not valid. */
  authenticate(token: string): Promise<Identity | null>;
  authorize(who: Identity, access: Access): Promise<boolean>;
}

/** No authentication at all: for `AUTH_MODE=none` (the local demo) and tests of other concerns. */
export const noAuth: Authenticator = {
  mode: 'none',
  authenticate: () => Promise.resolve({ username: 'anonymous', groups: [] }),
  authorize: () => Promise.resolve(true),
};
