/**
 * The OpenAPI document is the truth: Schemathesis (a schema-driven fuzzer, installed by
 * scripts/install.d/40-schemathesis.sh) generates requests from /openapi.json, valid and invalid,
 * sends them to a real broker over PostgreSQL that checks tokens with the real test API server
 * (AUTH_MODE=kubernetes: TokenReview, SubjectAccessReview), and runs every check it has: no 5xx,
 * schema-valid requests accepted, schema-violating ones refused, answers, status codes, content
 * types and headers as documented, 401 without a valid token, 405 with Allow for other methods,
 * and stateful sequences (a replay created, then read). Zero failures are required. The rules
 * between fields that JSON Schema cannot state for query parameters are applied by
 * testing/openapi_fuzz_hooks.py, as the document's descriptions say them.
 *
 * A fixed seed and number of examples per operation keep it repeatable and within minutes. A
 * second, short run against a copy of the document with one wrong bound must fail: the harness
 * reports what the fuzzer finds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeConfig, kubeconfigPath, kubectl } from '../../../test/kube/client.js';
import { applyManifest } from '../../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../../test/kube/namespace.js';
import { grant, manifest, RULES, serviceAccounts } from '../../../test/kube/rbac.js';
import { serviceAccountToken } from '../../../test/kube/service-account-token.js';
import { ROOT, startBroker, type Broker } from '../testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

/** The version scripts/install.d/40-schemathesis.sh installs. */
const SCHEMATHESIS = join(homedir(), '.cache', 'kguardian', 'schemathesis-4.32.5', 'bin', 'schemathesis');
const SEED = 20_261_203;
/** Test cases per operation and phase: about two minutes here for the whole document. */
const EXAMPLES = 25;

let kc: KubeConfig;
let ns: string;
let db: TestDatabase;
let broker: Broker;
let token: string;
let dir: string;

interface Run {
  code: number | null;
  output: string;
}

/** Runs the fuzzer on `schemaFile` against the broker; extra arguments narrow it. */
function fuzz(schemaFile: string, extra: readonly string[] = []): Promise<Run> {
  const args = [
    'run', schemaFile, '--url', broker.url,
    '--header', `Authorization: Bearer ${token}`,
    '--checks', 'all',
    '--max-examples', String(EXAMPLES),
    '--seed', String(SEED),
    '--generation-database', 'none',
    // One worker: the fuzzer's own lambda introspection is not thread-safe on this Python (a
    // "Runtime Error" of its own, not of the broker).
    '--workers', '1',
    '--no-color',
    // The verdict stream is an endless response, which a request-and-answer fuzzer waits on for
    // ever; its parameters are the verdict list's (one reader, readVerdictFilter), fuzzed there,
    // and its events are checked against the document in openapi-responses.test.ts.
    '--exclude-path', '/audit/verdicts/stream',
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, {
      cwd: dir,
      env: { ...process.env, SCHEMATHESIS_HOOKS: 'openapi_fuzz_hooks', PYTHONPATH: join(ROOT, 'daemons', 'broker', 'testing') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

/** The failures and errors part of a report, for an assertion message. */
function findings(output: string): string {
  const at = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
  return (at < 0 ? output.slice(-4000) : output.slice(at)).slice(0, 12_000);
}

const RBAC = (namespace: string): string =>
  manifest(
    serviceAccounts('fuzzer'),
    grant({ role: 'fuzzer', namespace, to: ['fuzzer'], rules: [RULES.readVerdicts, '{ apiGroups: [kguardian.dev], resources: [flows, replays], verbs: [get, create] }'], cluster: true }),
  );

beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run bash scripts/install-deps.sh (scripts/install.d/40-schemathesis.sh installs it)`);
  kc = kubeConfig();
  ns = await createTestNamespace(kc, 'kg-fuzz');
  await applyManifest(kc, RBAC(ns), ns);
  token = await serviceAccountToken(kc, ns, 'fuzzer');
  db = await createTestDatabase(inject('databaseUrl'), 'openapi_fuzz');
  broker = await startBroker({ DATABASE_URL: db.url, AUTH_MODE: 'kubernetes', KUBECONFIG: kubeconfigPath() });
  dir = mkdtempSync(join(tmpdir(), 'kg-openapi-fuzz-'));
  const doc = await fetch(`${broker.url}/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
  expect(doc.status).toBe(200);
  writeFileSync(join(dir, 'openapi.json'), await doc.text());
}, 120_000);

afterAll(async () => {
  await broker?.kill();
  await db?.drop();
  if (ns) {
    await kubectl(['delete', 'clusterrolebinding,clusterrole', `${ns}-fuzzer`, '--ignore-not-found']);
    await deleteTestNamespace(kc, ns);
  }
});

describe('the broker against its OpenAPI document, fuzzed by Schemathesis', () => {
  it('finds no failure in any operation, phase or check', async () => {
    const r = await fuzz(join(dir, 'openapi.json'));
    expect(r.output, 'the fuzzer tested every operation but the stream').toMatch(/Tested: 11\b/);
    expect(r.code, findings(r.output)).toBe(0);
    // The broker is still up and answers after everything it was sent.
    expect((await fetch(`${broker.url}/readyz`)).status).toBe(200);
  }, 600_000);

  it('fails when the document and the server disagree (a bound the server does not take)', async () => {
    const doc = JSON.parse(await (await fetch(`${broker.url}/openapi.json`, { headers: { authorization: `Bearer ${token}` } })).text()) as {
      paths: Record<string, { get: { parameters: { name: string; schema: { minimum?: number } }[] } }>;
    };
    const limit = doc.paths['/audit/verdicts']?.get.parameters.find((p) => p.name === 'limit');
    if (!limit) throw new Error('no limit parameter on GET /audit/verdicts');
    limit.schema.minimum = 0; // the server refuses limit=0
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify(doc));
    const r = await fuzz(join(dir, 'wrong.json'), ['--include-path', '/audit/verdicts', '--phases', 'coverage']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/Schema-valid request rejected/);
    expect(r.output).toContain('limit');
  }, 300_000);
});
