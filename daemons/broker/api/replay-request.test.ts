/** The replay request's validation: the field and sentence of a refusal, and how `since` is bounded. */
import { describe, expect, it } from 'vitest';
import { parseReplayRequest } from './replay-request.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const policy = { uid: 'u-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments', generation: 3 };

describe('parseReplayRequest', () => {
  it.each([
    { title: 'generation 0', body: { policy: { ...policy, generation: 0 }, since: '2026-03-09T00:00:00Z' }, field: 'policy.generation', message: /^policy\.generation: / },
    {
      title: 'a time that is not RFC 3339',
      body: { policy, since: 'yesterday' },
      field: 'since',
      message: /^since: must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05Z$/,
    },
    {
      title: 'a cluster policy with a namespace',
      body: { policy: { ...policy, kind: 'AuditClusterNetworkPolicy' }, since: '2026-03-09T00:00:00Z' },
      field: 'policy.namespace',
      message: /^policy\.namespace: must be the policy's namespace for AuditNetworkPolicy, '' for AuditClusterNetworkPolicy$/,
    },
    { title: 'a body that is not an object', body: 'replay', field: 'body', message: /^body: / },
    { title: 'a time in the future', body: { policy, since: '2026-03-11T00:00:00Z' }, field: 'since', message: /^since: must not be in the future$/ },
  ])('refuses $title with a 400 naming $field', ({ body, field, message }) => {
    const r = parseReplayRequest(body, NOW, 7);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(400);
      expect(r.error.field).toBe(field);
      expect(r.error.message).toMatch(message);
      expect(r.error.details).toBeUndefined();
    }
  });

  it.each([
    { title: 'within the kept days, as given', since: '2026-03-09T00:00:00Z', out: '2026-03-09T00:00:00.000Z' },
    { title: 'before the oldest kept flow, moved up to it', since: '2026-01-01T00:00:00Z', out: '2026-03-03T12:00:00.000Z' },
  ])('takes a since $title', ({ since, out }) => {
    const r = parseReplayRequest({ policy, since }, NOW, 7);
    expect(r.ok ? r.value.since.toISOString() : r.error.message).toBe(out);
  });
});
