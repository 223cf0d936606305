/**
 * The two questions put to the Kubernetes API server: a TokenReview (whose token is this?) and a
 * SubjectAccessReview (may this user do that?), through @kubernetes/client-node. The broker's
 * own service account needs `create` on tokenreviews and subjectaccessreviews (the
 * system:auth-delegator ClusterRole).
 */
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  V1ResourceAttributes,
  V1SubjectAccessReview,
  V1SubjectAccessReviewSpec,
  V1TokenReview,
  V1TokenReviewSpec,
  type KubeConfig,
} from '@kubernetes/client-node';
import { AUTH_GROUP, type Access, type Identity } from './types.js';

export interface ReviewApi {
  tokenReview(token: string): Promise<Identity | null>;
  accessReview(who: Identity, access: Access): Promise<boolean>;
}

export function kubernetesReviews(kc: KubeConfig, audiences?: string[]): ReviewApi {
  const authn = kc.makeApiClient(AuthenticationV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  return {
    async tokenReview(token: string): Promise<Identity | null> {
      // The generated client wants class instances, not object literals.
      const body = Object.assign(new V1TokenReview(), {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: Object.assign(new V1TokenReviewSpec(), { token, audiences }),
      });
      const r = await authn.createTokenReview({ body });
      const s = r.status;
      if (!s?.authenticated || !s.user?.username) return null;
      return { username: s.user.username, uid: s.user.uid, groups: s.user.groups ?? [], extra: s.user.extra };
    },
    async accessReview(who: Identity, access: Access): Promise<boolean> {
      const resourceAttributes = Object.assign(new V1ResourceAttributes(), {
        group: AUTH_GROUP,
        resource: access.resource,
        verb: access.verb,
        namespace: access.namespace,
      });
      const spec = Object.assign(new V1SubjectAccessReviewSpec(), {
        user: who.username,
        uid: who.uid,
        groups: who.groups,
        extra: who.extra,
        resourceAttributes,
      });
      const body = Object.assign(new V1SubjectAccessReview(), { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
      const r = await authz.createSubjectAccessReview({ body });
      return r.status?.allowed === true;
    },
  };
}
