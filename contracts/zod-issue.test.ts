/**
 * The one way a refused body is named: the field path, the sentence that starts with it, and the
 * item's index. The parsers' rows pin whole messages, so a change to the shared renderer (or a
 * parser that stops using it) shows here as a changed sentence, not only a changed field.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEvaluateRequest } from './evaluate-request.js';
import { parseFlowBatch } from './flow-batch.js';
import { observation } from './testing/flow-batch.js';
import { fieldPath, issueError } from './zod-issue.js';

describe('fieldPath', () => {
  it.each([
    { path: ['flows', 3, 'src', 'ip'], out: 'flows[3].src.ip' },
    { path: [0, 'a'], out: '[0].a' },
    { path: ['only', 'generation'], out: 'only.generation' },
    { path: [], out: '' },
    // The unknown fields of a policy file (crds/unknown-fields.ts) are named with it too.
    { path: ['spec', 'ingress', 0, 'from', 1, 'podSelector'], out: 'spec.ingress[0].from[1].podSelector' },
    { path: ['spec', 'policyTypes', 0], out: 'spec.policyTypes[0]' },
    { path: ['metadata2'], out: 'metadata2' },
    { path: ['metadata', 'labels', 'app.kubernetes.io/name'], out: 'metadata.labels.app.kubernetes.io/name' },
  ])('renders $path as "$out"', ({ path, out }) => {
    expect(fieldPath(path)).toBe(out);
  });
});

describe('issueError', () => {
  const issueOf = (schema: z.ZodType, value: unknown): z.core.$ZodIssue | undefined => {
    const r = schema.safeParse(value);
    return r.success ? undefined : r.error.issues[0];
  };

  it('names the field under the prefix, starts the sentence with it and returns the index', () => {
    const e = issueError(issueOf(z.object({ port: z.int().max(10, 'too big') }), { port: 11 }), ['flows', 2], 2);
    expect({ status: e.status, field: e.field, message: e.message, details: e.details }).toEqual({
      status: 400,
      field: 'flows[2].port',
      message: 'flows[2].port: too big',
      details: { index: 2 },
    });
  });

  it('names the body when the issue has no path, and has no details without an index', () => {
    const e = issueError(issueOf(z.object({}), 'text'));
    expect(e.field).toBe('body');
    expect(e.message).toMatch(/^body: /);
    expect(e.details).toBeUndefined();
  });

  it('says invalid when there is no issue at all', () => {
    expect(issueError(undefined, ['flows', 0], 0).message).toBe('flows[0]: invalid');
  });
});

describe('the messages of the parsers that use it', () => {
  const ok = observation();
  const item = { id: 7, observedAt: '2026-03-01T10:00:00.000Z', count: 2, direction: 'Ingress', flow: { src: { ip: '10.0.0.5' }, dst: { ip: '10.0.0.6' }, protocol: 'TCP', port: 5432 } };

  it.each([
    {
      title: 'a flow batch with a bad namespace',
      result: parseFlowBatch({ batchId: 'b', node: 'n', flows: [ok, { ...ok, src: { ...ok.src, namespace: 'Prod!' } }] }),
      error: { field: 'flows[1].src.namespace', message: 'flows[1].src.namespace: must be a Kubernetes namespace name', details: { index: 1 } },
    },
    {
      title: 'a flow batch with spaces in its id',
      result: parseFlowBatch({ batchId: 'a b', node: 'n', flows: [] }),
      error: { field: 'batchId', message: 'batchId: must be printable ASCII without spaces', details: undefined },
    },
    {
      title: 'an evaluate request with a pod and no namespace',
      result: parseEvaluateRequest({ flows: [item, { ...item, flow: { ...item.flow, dst: { ip: '10.0.0.6', pod: 'db' } } }] }),
      error: { field: 'flows[1].flow.dst.pod', message: 'flows[1].flow.dst.pod: namespace and pod are given together or not at all', details: { index: 1 } },
    },
    {
      title: 'an evaluate request with a day the calendar does not have',
      result: parseEvaluateRequest({ flows: [{ ...item, observedAt: '2026-02-30T10:00:00Z' }] }),
      error: {
        field: 'flows[0].observedAt',
        message: 'flows[0].observedAt: must be an RFC 3339 time of a real date, such as 2026-01-02T15:04:05.000Z',
        details: { index: 0 },
      },
    },
  ])('refuses $title with the whole sentence', ({ result, error }) => {
    expect(result.ok).toBe(false);
    if (!result.ok) expect({ field: result.error.field, message: result.error.message, details: result.error.details }).toEqual(error);
  });
});
