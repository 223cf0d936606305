/**
 * Finding the cluster as kubectl does: which kubeconfig files, merge order, --context, and
 * the namespace (-n, else the context's, else "default"); every failure names the flag or
 * file and exits with a message, never a stack trace.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { connect, kubeconfigFiles } from './connect.js';

const dir = mkdtempSync(join(tmpdir(), 'kg-connect-'));

function kubeconfig(file: string, contexts: { name: string; namespace?: string; server?: string }[], current: string): string {
  const path = join(dir, file);
  const text = [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current}`,
    'clusters:',
    ...contexts.map((c) => `- name: ${c.name}\n  cluster:\n    server: ${c.server ?? `https://${c.name}.example:6443`}`),
    'users:',
    ...contexts.map((c) => `- name: ${c.name}\n  user:\n    token: t`),
    'contexts:',
    ...contexts.map((c) => `- name: ${c.name}\n  context:\n    cluster: ${c.name}\n    user: ${c.name}${c.namespace ? `\n    namespace: ${c.namespace}` : ''}`),
  ].join('\n');
  writeFileSync(path, text + '\n');
  return path;
}

const first = kubeconfig('first', [{ name: 'prod', namespace: 'payments' }, { name: 'dev' }], 'prod');
const second = kubeconfig('second', [{ name: 'staging', namespace: 'web' }], 'staging');
const home = join(dir, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
kubeconfig(join('home', '.kube', 'config'), [{ name: 'home', namespace: 'mine' }], 'home');

describe('kubeconfigFiles', () => {
  it.each([
    { title: '--kubeconfig wins over $KUBECONFIG', flags: { kubeconfig: '/a' }, env: { KUBECONFIG: '/b', HOME: '/h' }, files: ['/a'] },
    { title: '$KUBECONFIG is a list, empty entries skipped', flags: {}, env: { KUBECONFIG: ['/b', '', '/c'].join(delimiter) }, files: ['/b', '/c'] },
    { title: 'else ~/.kube/config', flags: {}, env: { HOME: '/h' }, files: [join('/h', '.kube', 'config')] },
    { title: 'no HOME: nothing (in-cluster)', flags: {}, env: {}, files: [] },
  ])('$title', ({ flags, env, files }) => {
    expect(kubeconfigFiles(flags, env)).toEqual(files);
  });
});

describe('connect', () => {
  it.each([
    { title: "the current context's namespace", flags: { kubeconfig: first }, env: {}, context: 'prod', namespace: 'payments', fromFlag: false },
    { title: '-n over the context', flags: { kubeconfig: first, namespace: 'other' }, env: {}, context: 'prod', namespace: 'other', fromFlag: true },
    { title: '--context picks another context; no namespace there means default', flags: { kubeconfig: first, context: 'dev' }, env: {}, context: 'dev', namespace: 'default', fromFlag: false },
    // kubectl merges $KUBECONFIG files; the first file's current-context wins.
    { title: '$KUBECONFIG merged, first current-context wins', flags: {}, env: { KUBECONFIG: [first, second].join(delimiter) }, context: 'prod', namespace: 'payments', fromFlag: false },
    { title: 'a context from the second $KUBECONFIG file', flags: { context: 'staging' }, env: { KUBECONFIG: [first, second].join(delimiter) }, context: 'staging', namespace: 'web', fromFlag: false },
    { title: 'a missing file in $KUBECONFIG is skipped', flags: {}, env: { KUBECONFIG: [first, join(dir, 'missing')].join(delimiter) }, context: 'prod', namespace: 'payments', fromFlag: false },
    { title: '~/.kube/config', flags: {}, env: { HOME: home }, context: 'home', namespace: 'mine', fromFlag: false },
  ])('$title', async ({ flags, env, context, namespace, fromFlag }) => {
    const conn = await connect(flags, env);
    expect([conn.context, conn.namespace, conn.namespaceFromFlag]).toEqual([context, namespace, fromFlag]);
    expect(conn.server).toBe(`https://${context}.example:6443`);
  });

  it.each([
    { title: 'a --kubeconfig that does not exist', flags: { kubeconfig: join(dir, 'nope') }, env: {}, message: `--kubeconfig ${join(dir, 'nope')}: no such file`, code: 2 },
    { title: 'an unknown --context', flags: { kubeconfig: first, context: 'qa' }, env: {}, message: '--context qa: no such context in the kubeconfig (it has: prod, dev)', code: 2 },
    { title: 'no kubeconfig anywhere', flags: {}, env: { HOME: join(dir, 'nohome') }, message: `no cluster configured: ${join(dir, 'nohome', '.kube', 'config')} not found. Point --kubeconfig at a kubeconfig file, set KUBECONFIG, or run inside a cluster.`, code: 1 },
    { title: 'a kubeconfig that is not YAML', flags: { kubeconfig: join(dir, 'bad') }, env: {}, message: `cannot read kubeconfig ${join(dir, 'bad')}:`, code: 2 },
  ])('refuses $title', async ({ flags, env, message, code }) => {
    writeFileSync(join(dir, 'bad'), 'clusters: [: oops\n');
    const error = await connect(flags, env).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(message);
    expect((error as CliError).exitCode).toBe(code);
  });
});
