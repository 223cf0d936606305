/**
 * `audit test -f` is as strict about field names as the API server: a misspelt field in any of
 * the three kinds is exit 2 naming the file, document, the field's line and its path, never
 * silently dropped (a dropped podSelectr leaves an empty selector that selects every pod). The
 * CRD examples in crds/testdata (which crds.int.test.ts runs against the real API server) tie the
 * two together: every example the server refuses for an unknown field is refused here naming the
 * same field, and no example the server accepts, or refuses for another reason, is refused here
 * for a field name. An empty file or empty stdin is an error too.
 */
import { describe, expect, it } from 'vitest';
import { invalidExamples, validExamples } from '../../crds/examples.js';
import { fieldPath } from '../../contracts/zod-issue.js';
import { unknownFields } from '../../crds/unknown-fields.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

const EXAMPLE = 'test/fixtures/audit-test/payments';
const offline = ['--cluster', `${EXAMPLE}/cluster.yaml`, '--flows', `${EXAMPLE}/flows.jsonl`];

async function auditTest(stdin: string): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(stdin);
  const code = await runCli(['audit', 'test', '-f', '-', ...offline], io);
  return { code, out: io.out(), err: io.err() };
}

const HEAD = {
  NetworkPolicy: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: prod\n',
  AuditNetworkPolicy: 'apiVersion: kguardian.dev/v1alpha1\nkind: AuditNetworkPolicy\nmetadata:\n  name: p\n  namespace: prod\n',
  AuditClusterNetworkPolicy: 'apiVersion: kguardian.dev/v1alpha1\nkind: AuditClusterNetworkPolicy\nmetadata:\n  name: p\n',
} as const;
type Kind = keyof typeof HEAD;
const KINDS = Object.keys(HEAD) as Kind[];

/** Each typo is on the last line of its document; the head above takes 5 lines (4 for the cluster kind). */
const TYPOS: readonly { title: string; spec: string; field: string; hint: string }[] = [
  { title: 'podSelectr', spec: 'spec:\n  podSelectr: {}\n', field: 'spec.podSelectr', hint: 'did you mean podSelector?' },
  { title: 'matchLables', spec: 'spec:\n  podSelector:\n    matchLables: {app: web}\n', field: 'spec.podSelector.matchLables', hint: 'did you mean matchLabels?' },
  { title: 'ingres', spec: 'spec:\n  podSelector: {}\n  ingres: []\n', field: 'spec.ingres', hint: 'did you mean ingress?' },
  { title: 'a peer field', spec: 'spec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        exept: [10.1.0.0/16]\n', field: 'spec.egress[0].to[0].ipBlock.exept', hint: 'did you mean except?' },
  { title: 'a port field in a flow list', spec: 'spec:\n  podSelector: {}\n  ingress:\n  - ports: [{protocol: TCP, prot: 80}]\n', field: 'spec.ingress[0].ports[0].prot', hint: 'did you mean port?' },
  { title: 'an expression field', spec: 'spec:\n  podSelector:\n    matchExpressions:\n    - {key: app, operator: In, value: [web]}\n', field: 'spec.podSelector.matchExpressions[0].value', hint: 'did you mean values?' },
  { title: 'a field nothing resembles', spec: 'spec:\n  podSelector: {}\n  priority: 10\n', field: 'spec.priority', hint: 'spec has egress, ingress' },
  { title: 'a metadata field', spec: 'spec:\n  podSelector: {}\nmetadata2: {}\n', field: 'metadata2', hint: 'did you mean metadata?' },
];

describe('audit test refuses unknown fields', () => {
  const rows = KINDS.flatMap((kind) => TYPOS.map((t) => ({ kind, ...t })));
  it.each(rows)('$kind: $title', async ({ kind, spec, field, hint }) => {
    const text = HEAD[kind] + spec;
    const line = text.trimEnd().split('\n').length;
    const r = await auditTest(text);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const name = field.split('.').at(-1)?.replace(/\[\d+\]/g, '') ?? '';
    expect(r.err).toContain(`error: <stdin>, document 1 (line ${line}): ${field}: unknown field "${name}" (${hint}`);
    expect(r.err).toContain('the API server refuses it too\n');
  });

  it('names the document, the List item and the line in a multi-document file', async () => {
    const good = HEAD.AuditNetworkPolicy + 'spec:\n  podSelector: {}\n';
    const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: a, namespace: prod}\n  spec: {podSelector: {}}\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata:\n    name: b\n    namespace: prod\n    lables: {a: b}\n  spec: {podSelector: {}}\n';
    const r = await auditTest(`${good}---\n${list}`);
    expect(r.code).toBe(2);
    // The List starts on line 9 (after 7 lines and ---); metadata.lables is its 13th line.
    expect(r.err).toBe('error: <stdin>, document 2 (line 21): items[1].metadata.lables: unknown field "lables" (did you mean labels?); the API server refuses it too\n');
  });

  it('a NetworkPolicy has no status (networking.k8s.io/v1); the audit kinds do', async () => {
    const np = await auditTest(HEAD.NetworkPolicy + 'spec:\n  podSelector: {}\nstatus: {}\n');
    expect(np.err).toContain('status: unknown field "status"');
    const anp = await auditTest(HEAD.AuditNetworkPolicy + 'spec:\n  podSelector: {}\nstatus:\n  observedGeneration: 1\n');
    expect(anp.err).toBe('');
    expect(anp.code).toBe(0);
  });

  it.each([
    { title: 'empty stdin', stdin: '' },
    { title: 'stdin with only comments and separators', stdin: '# nothing\n---\n' },
  ])('refuses $title: a CI gate fed nothing must not pass', async ({ stdin }) => {
    const r = await auditTest(stdin);
    expect(r).toEqual({ code: 2, out: '', err: 'error: <stdin>: holds no policy: give a file with a NetworkPolicy, AuditNetworkPolicy or AuditClusterNetworkPolicy\n' });
  });
});

describe('the same verdict as the API server on the CRD examples', () => {
  const unknownFieldExamples = invalidExamples().filter((e) => e.message === 'unknown field');
  const otherInvalid = invalidExamples().filter((e) => e.message !== 'unknown field');

  it('the examples include unknown fields in both audit kinds', () => {
    expect(new Set(unknownFieldExamples.map((e) => e.kind))).toEqual(new Set(['AuditNetworkPolicy', 'AuditClusterNetworkPolicy']));
  });

  it.each(unknownFieldExamples.map((e) => ({ file: e.file, example: e })))('refused by the server, refused here: $file', async ({ example }) => {
    const r = await auditTest(example.text);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`: ${example.field}: unknown field`);
  });

  it.each([...validExamples(), ...otherInvalid].map((e) => ({ file: e.file, example: e })))('no unknown field where the server finds none: $file', ({ example }) => {
    expect(unknownFields(example.kind, example.object).map((u) => fieldPath(u.path))).toEqual([]);
  });
});
