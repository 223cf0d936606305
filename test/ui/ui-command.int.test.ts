/**
 * `kubectl kguardian ui` as a user runs it: the plugin's own executable (bin/kubectl-kguardian)
 * in a child process, as a ServiceAccount of the test API server, against a real broker that
 * reviews every request. It prints the URL; the page and the policy list come through its proxy;
 * `--open` starts the browser $BROWSER names (here a script that notes the URL it was given);
 * Ctrl-C (SIGINT) stops it cleanly with exit 0. (The port-forward to a broker pod, instead of
 * --broker-url, is the real cluster's test: test/cluster/workloads.cluster.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UiPolicyList } from '../../contracts/web-view.js';
import { ANP } from '../../plugin/kube/objects.js';
import { LAUNCHER } from '../../plugin/testing/closed-pipe.js';
import { createAudit, serviceAccountKubeconfig } from '../../plugin/testing/test-cluster.js';
import { kubeConfig } from '../kube/client.js';
import { installCrds } from '../kube/crds.js';
import { createTestNamespace, deleteTestNamespace } from '../kube/namespace.js';
import { startUiStack, type UiStack } from './testing/stack.js';

let kc: KubeConfig;
let ns: string;
let stack: UiStack;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  ns = await createTestNamespace(kc, 'kg-ui-cmd');
  kubeconfig = await serviceAccountKubeconfig(kc, ns, 'viewer');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'ui-reader' }, rules: [
    { apiGroups: ['kguardian.dev'], resources: ['auditverdicts'], verbs: ['get'] },
    { apiGroups: ['kguardian.dev'], resources: ['auditnetworkpolicies'], verbs: ['get', 'list'] },
  ] } });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'viewer-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ui-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }] } });
  await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  stack = await startUiStack(kc);
  dir = await mkdtemp(join(tmpdir(), 'kg-ui-cmd-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (ns) await deleteTestNamespace(kc, ns);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Resolves with the first line of stdout that holds a URL, and everything written so far. */
function printedUrl(child: ChildProcess, err: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/ui\/)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('close', (code) => { reject(new Error(`ui exited ${code} before printing a URL: ${out}${err()}`)); });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on('exit', (code, signal) => { resolve({ code, signal }); });
  });
}

describe('kubectl kguardian ui in a process of its own', () => {
  it('prints the URL, serves the page and the policy list through its proxy, opens $BROWSER with --open, and stops on Ctrl-C with exit 0', async () => {
    const opened = join(dir, 'opened');
    const browser = join(dir, 'browser');
    await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}'\n`);
    await chmod(browser, 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, BROWSER: browser };
    delete env.KGUARDIAN_BROKER_URL;
    const child = spawn(LAUNCHER, ['ui', '-n', ns, '--broker-url', stack.brokerUrl, '--open'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    try {
      const url = await printedUrl(child, () => err);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script src=');
      const list = (await (await fetch(new URL('/ui/api/policies', url))).json()) as UiPolicyList;
      expect(list.policies.map((p) => `${p.kind} ${p.namespace}/${p.name}`)).toEqual([`AuditNetworkPolicy ${ns}/payments`]);
      // The browser is started detached: its note may come a moment after the URL is printed.
      await expect.poll(() => readFile(opened, 'utf8').catch(() => ''), { timeout: 20_000 }).toBe(`${url}\n`);
      child.kill('SIGINT');
      expect(await exited(child)).toEqual({ code: 0, signal: null });
      expect(err).toBe('');
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
