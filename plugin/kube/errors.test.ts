/**
 * API errors to next steps, for each status the API server (or the network) produces; the
 * integration tests meet most of them for real, this table also covers 401 and other codes.
 */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { describeApiError, type ApiRequest } from './errors.js';

const target = { context: 'prod-admin', server: 'https://k8s.example:6443' };
const getAnp: ApiRequest = { verb: 'get', resource: 'auditnetworkpolicies.kguardian.dev', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments', custom: true, short: 'kganp' };
const status = (code: number, reason: string, message: string, name?: string): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code, ...(name ? { details: { name } } : {}) });

describe('describeApiError', () => {
  it.each([
    {
      title: '404 naming the object: not found, with -A hint',
      error: new ApiException(404, '', status(404, 'NotFound', 'auditnetworkpolicies.kguardian.dev "payments" not found', 'payments'), {}),
      message: `AuditNetworkPolicy "payments" not found in namespace "prod" (context prod-admin). List them with 'kubectl get kganp -A', or pass -n NAMESPACE.`,
    },
    {
      title: '404 page not found: the CRDs are missing',
      error: new ApiException(404, '', '404 page not found\n', {}),
      message: 'the kguardian CRDs are not installed on https://k8s.example:6443 (context prod-admin): it does not serve auditnetworkpolicies.kguardian.dev.',
    },
    {
      // The group is served but this resource is not (one of the two CRDs deleted).
      title: '404 Status without the name: the CRDs are missing',
      error: new ApiException(404, '', status(404, 'NotFound', 'the server could not find the requested resource'), {}),
      message: 'the kguardian CRDs are not installed',
    },
    {
      title: '403: verb, resource, namespace and the can-i check',
      error: new ApiException(403, '', status(403, 'Forbidden', 'User "alice" cannot get resource "auditnetworkpolicies"'), {}),
      message: 'forbidden: you may not get auditnetworkpolicies.kguardian.dev "payments" in namespace "prod" (context prod-admin). The API server said: User "alice" cannot get resource "auditnetworkpolicies". Ask a cluster admin for a Role granting "get" on auditnetworkpolicies.kguardian.dev; check with: kubectl auth can-i get auditnetworkpolicies.kguardian.dev -n prod',
    },
    {
      title: '401: log in again',
      error: new ApiException(401, '', status(401, 'Unauthorized', 'Unauthorized'), {}),
      message: 'the API server at https://k8s.example:6443 rejected the credentials of context prod-admin (401 Unauthorized): log in again or fix the user in your kubeconfig',
    },
    {
      title: 'another status: the server message',
      error: new ApiException(500, '', status(500, 'InternalError', 'etcdserver: request timed out'), {}),
      message: 'get auditnetworkpolicies.kguardian.dev "payments" in namespace "prod" failed: etcdserver: request timed out',
    },
    {
      title: 'connection refused: cannot reach, with the cause',
      error: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) }),
      message: 'cannot reach the cluster at https://k8s.example:6443 (context prod-admin): fetch failed: connect ECONNREFUSED 127.0.0.1:6443 (ECONNREFUSED). Check that the cluster is running',
    },
  ])('$title', ({ error, message }) => {
    const mapped = describeApiError(error, getAnp, target);
    expect(mapped).toBeInstanceOf(CliError);
    expect(mapped.message).toContain(message);
    expect(mapped.exitCode).toBe(1);
  });

  it('rethrows what it does not recognise (a bug, not a cluster problem)', () => {
    expect(() => describeApiError(new RangeError('bug'), getAnp, target)).toThrow('bug');
  });
});
