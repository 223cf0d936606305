/**
 * The Would-Deny web view in a real browser (Debian's chromium, headless) against a real broker
 * that asks the test API server about every request, through `kubectl kguardian ui`'s own proxy
 * run in-process with a ServiceAccount's kubeconfig. Checks: hostile names render as text; the
 * CSP holds (no inline script runs); a user who may read one namespace sees only it; filters
 * round-trip through the URL; the row detail; the grouped view; the flow map's edge filter; the
 * live tail across pause/resume and a forced reconnect, without loss or repeats; 10,000 rows
 * with a bounded DOM; readable in the light and the dark system theme (every visible text at
 * 4.5:1 contrast or more). KG_UI_SCREENSHOTS=DIR also saves the screenshots docs/ui/ shows.
 */
import { CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../kube/client.js';
import { installCrds } from '../kube/crds.js';
import { createTestNamespace, deleteTestNamespace } from '../kube/namespace.js';
import type { NewVerdict } from '../../daemons/broker/store/types.js';
import { ACNP, ANP, type AuditPolicy } from '../../plugin/kube/objects.js';
import { createAudit, evaluatedStatus, patchAudit, serviceAccountKubeconfig, writeStatus } from '../../plugin/testing/test-cluster.js';
import { evaluateFlow } from '../../policy/evaluate.js';
import { anp, buildState, flow as engineFlow, podInfo } from '../../policy/testing/testkit.js';
import type { ClusterNetworkPolicySpec } from '../../policy/types.js';
import { memoryIO } from '../../plugin/io.js';
import { uiOptions } from '../../plugin/commands/ui.js';
import { runUi } from '../../plugin/ui/run.js';
import { launchBrowser, type Browser } from './testing/browser.js';
import { seedVerdicts, startUiStack, type SeedFlow, type UiStack } from './testing/stack.js';

const HOSTILE_POD = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_LABEL = '"><img src=x onerror="window.__pwned=4">';
/**
 * A reason in the engine's words naming a hostile pod and hostile labels (a pod's labels reach
 * the page only inside reasons: the policies' own selectors are checked by the CRD schema), with
 * markup after it: all of it must stay text, and the rule it names is still found.
 */
function hostileReason(ns: string): string {
  const peer = `web/${HOSTILE_POD}`;
  return `AuditNetworkPolicy ${ns}/payments selects ${ns}/payments-2, but no ingress rule allows 7000/TCP from ${peer} to ${ns}/payments-2; ingress rule 0 matches ${peer}'s labels (pods tier=${HOSTILE_LABEL}) but only in namespace ${ns}, and ${peer} is in web: add a namespaceSelector to admit it"><script>window.__pwned=2</script><b onmouseover="window.__pwned=3">bold</b> & more`;
}
const SHOTS = process.env.KG_UI_SCREENSHOTS;

/**
 * In the page (a string: the tests' TypeScript has no DOM types): WCAG contrast of every visible
 * element's own text (SVG and screen-reader-only text aside) against the first opaque background
 * behind it; the ones under 4.5:1, and the body's luminance.
 */
const CONTRAST = `(() => {
  const parse = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null; const [r, g, b, a = 1] = m[1].split(',').map(Number); return { r, g, b, a }; };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const low = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, .sr-only') || el.getClientRects().length === 0) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
    if (own === '' || getComputedStyle(el).visibility === 'hidden') continue;
    const fg = parse(getComputedStyle(el).color);
    const bg = bgOf(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    checked++;
    if (ratio < 4.5) low.push({ text: el.tagName + '.' + el.className + ': ' + own.slice(0, 40), ratio: Math.round(ratio * 100) / 100 });
  }
  return { bodyLuminance: lum(bgOf(document.body)), checked, low };
})()`;

let kc: KubeConfig;
let nsA: string;
let nsB: string;
let stack: UiStack;
let browser: Browser;
const policies: Record<string, AuditPolicy> = {};
const views: { stop: () => Promise<number> }[] = [];

const SPEC = { podSelector: { matchLabels: { app: 'payments' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] };

/** Policy `edited`: generation 1 admits only batch pods of its namespace; generation 2 adds web's pods on 8080. */
const FROM_BATCH = { from: [{ podSelector: { matchLabels: { app: 'batch' } } }] };
const FROM_WEB_8080 = { from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] };
const EDITED_GEN1 = { podSelector: { matchLabels: { app: 'payments' } }, policyTypes: ['Ingress'], ingress: [FROM_BATCH] };
const EDITED_GEN2 = { ...EDITED_GEN1, ingress: [FROM_BATCH, FROM_WEB_8080] };

/** The reason the engine gives for web/SRC -> NS/payments-0:PORT under `spec`, as the evaluator would store it. */
function engineReason(ns: string, spec: ClusterNetworkPolicySpec, src: string, port: number): string {
  const state = buildState({
    namespaces: { web: { team: 'web' }, [ns]: {} },
    pods: [podInfo(`web/${src}`, { labels: { app: 'web' }, ips: ['10.1.0.1'] }), podInfo(`${ns}/payments-0`, { labels: { app: 'payments' }, ips: ['10.2.0.1'] })],
    policies: [anp(`${ns}/edited`, spec)],
  });
  const v = evaluateFlow(state, engineFlow(`web/${src}`, `${ns}/payments-0`, 'TCP', port)).verdicts[0];
  if (!v) throw new Error(`the engine gave no verdict for web/${src}:${port}`);
  return v.reason;
}

function ref(p: AuditPolicy): NewVerdict['policy'] {
  return { uid: p.metadata.uid ?? '', kind: 'AuditNetworkPolicy', namespace: p.metadata.namespace ?? '', name: p.metadata.name, generation: p.metadata.generation ?? 1 };
}

/** Starts `kubectl kguardian ui` in-process as the ServiceAccount of `kubeconfig` (flags as yargs gives them); resolves with its URL. */
async function startView(kubeconfig: string, flags: { n?: string; A?: boolean }): Promise<string> {
  const abort = new AbortController();
  const opts = uiOptions({ kubeconfig, brokerUrl: stack.brokerUrl, ...flags }); // no --port: any free port
  return new Promise<string>((resolve, reject) => {
    const done = runUi(opts, memoryIO(), abort.signal, resolve);
    done.catch(reject);
    views.push({ stop: () => (abort.abort(), done) });
  });
}

async function open(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('dialog', (d) => {
    throw new Error(`the page opened a dialog: ${d.message()}`);
  });
  await page.goto(url);
  return page;
}

function flow(src: string, dst: string, port: number, verdict: SeedFlow['verdict'], extra: Partial<SeedFlow> = {}): SeedFlow {
  return { src: { namespace: 'web', pod: src }, dst: { namespace: nsA, pod: dst }, port, verdict, ...extra };
}

let viewer: string;
let admin: string;

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  nsA = await createTestNamespace(kc, 'kg-ui-a');
  nsB = await createTestNamespace(kc, 'kg-ui-b');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const readRules = [
    { apiGroups: ['kguardian.dev'], resources: ['auditverdicts'], verbs: ['get'] },
    { apiGroups: ['kguardian.dev'], resources: ['auditnetworkpolicies', 'auditclusternetworkpolicies'], verbs: ['get', 'list'] },
  ];
  viewer = await serviceAccountKubeconfig(kc, nsA, 'viewer');
  admin = await serviceAccountKubeconfig(kc, nsA, 'admin');
  await rbac.createNamespacedRole({ namespace: nsA, body: { metadata: { name: 'ui-reader' }, rules: readRules } });
  await rbac.createNamespacedRoleBinding({ namespace: nsA, body: { metadata: { name: 'viewer-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ui-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: nsA }] } });
  await rbac.createClusterRole({ body: { metadata: { name: `${nsA}-ui-admin` }, rules: readRules } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: `${nsA}-ui-admin` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${nsA}-ui-admin` }, subjects: [{ kind: 'ServiceAccount', name: 'admin', namespace: nsA }] } });

  const payments = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: nsA }, spec: SPEC });
  policies.payments = await writeStatus(kc, ANP, payments, evaluatedStatus(1, { wouldDeny: 3, window: '1h' }));
  const quiet = await createAudit(kc, ANP, { metadata: { name: 'quiet', namespace: nsA }, spec: SPEC });
  policies.quiet = await writeStatus(kc, ANP, quiet, evaluatedStatus(1, { wouldDeny: 0, window: '1h' }));
  policies.live = await writeStatus(kc, ANP, await createAudit(kc, ANP, { metadata: { name: 'live', namespace: nsA }, spec: SPEC }), evaluatedStatus(1));
  policies.bulk = await writeStatus(kc, ANP, await createAudit(kc, ANP, { metadata: { name: 'bulk', namespace: nsA }, spec: SPEC }), evaluatedStatus(1));
  policies.other = await createAudit(kc, ANP, { metadata: { name: 'other-team', namespace: nsB }, spec: SPEC });
  const edited = await patchAudit(kc, ANP, await createAudit(kc, ANP, { metadata: { name: 'edited', namespace: nsA }, spec: EDITED_GEN1 }), { spec: EDITED_GEN2 });
  policies.edited = await writeStatus(kc, ANP, edited, evaluatedStatus(2));
  const platform = await createAudit(kc, ACNP, { metadata: { name: `${nsA}-platform` }, spec: { namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {}, policyTypes: ['Ingress'] } });
  policies.platform = await writeStatus(kc, ACNP, platform, evaluatedStatus(1));

  stack = await startUiStack(kc);
  await seedVerdicts(stack.store, ref(policies.payments), [
    flow('web-7f9c8d6b5-abcde', 'payments-0', 8080, 'WouldDeny'),
    flow('web-7f9c8d6b5-fghij', 'payments-0', 8080, 'WouldDeny'),
    flow('batch-0', 'payments-1', 9090, 'WouldDeny'),
    flow('web-7f9c8d6b5-abcde', 'payments-0', 8443, 'Allow'),
    flow(HOSTILE_POD, 'payments-2', 7000, 'WouldDeny', { reason: hostileReason(nsA) }),
  ]);
  // Generation 1's verdict, then generation 2's: allowed by its new rule, refused on another port, an attempt never answered.
  await seedVerdicts(stack.store, { ...ref(policies.edited), generation: 1 }, [flow('web-old', 'payments-0', 8080, 'WouldDeny', { reason: engineReason(nsA, EDITED_GEN1, 'web-old', 8080) })]);
  await seedVerdicts(stack.store, ref(policies.edited), [
    flow('web-1', 'payments-0', 8080, 'Allow', { reason: engineReason(nsA, EDITED_GEN2, 'web-1', 8080) }),
    flow('web-1', 'payments-0', 9090, 'WouldDeny', { reason: engineReason(nsA, EDITED_GEN2, 'web-1', 9090), state: 'refused' }),
    flow('web-2', 'payments-0', 8080, 'Allow', { reason: engineReason(nsA, EDITED_GEN2, 'web-2', 8080), state: 'attempt' }),
  ]);
  await seedVerdicts(stack.store, ref(policies.other), [{ src: { namespace: nsB, pod: 'secret-client-0' }, dst: { namespace: nsB, pod: 'db-0' }, port: 5432, verdict: 'WouldDeny' }]);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  for (const v of views) await v.stop();
  if (policies.platform) await kc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ group: 'kguardian.dev', version: 'v1alpha1', plural: 'auditclusternetworkpolicies', name: policies.platform.metadata.name });
  await browser?.close();
  await stack?.close();
  await deleteTestNamespace(kc, nsA);
  await deleteTestNamespace(kc, nsB);
  await kc.makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name: `${nsA}-ui-admin` });
  await kc.makeApiClient(RbacAuthorizationV1Api).deleteClusterRole({ name: `${nsA}-ui-admin` });
});

describe('the web view in chromium', () => {
  let viewerUrl: string;

  beforeAll(async () => {
    viewerUrl = await startView(viewer, { n: nsA });
  });

  it('lists the namespace\'s policies with sync state, counts, the gate and the last would-deny', async () => {
    const page = await open(viewerUrl);
    const rows = page.locator('#policies tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    const text = await page.locator('#policies').innerText();
    expect(text).toContain(`${nsA}/payments`);
    expect(text).toContain('gen 1 / observed 1');
    expect(text).toMatch(/not safe[\s\S]*3 flows in the last 1h would be denied/);
    expect(text).toMatch(/✓ safe/);
    await expect.poll(() => rows.filter({ hasText: `${nsA}/payments` }).locator('td').last().innerText()).toMatch(/^\d{4}-\d{2}-\d{2} /);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/policies.png`, fullPage: true });
    await page.close();
  });

  it('starts the first view\'s reads at once, each once: the verdicts are asked for while the policy list is still on its way', async () => {
    const page = await browser.context.newPage();
    const asked: string[] = [];
    let verdictsAsked = (): void => undefined;
    const verdictsSeen = new Promise<boolean>((resolve) => { verdictsAsked = () => { resolve(true); }; });
    page.on('request', (req) => {
      const path = new URL(req.url()).pathname;
      if (path.startsWith('/ui/api/') || path.startsWith('/audit/')) asked.push(path);
      if (path === '/audit/verdicts') verdictsAsked();
    });
    // The policy list is held until the page asks for the verdicts: a page that waited for the
    // list first would never ask (the deadline only turns that into a failed assertion).
    let heldUntilVerdicts: boolean | undefined;
    await page.route('**/ui/api/policies', async (route) => {
      heldUntilVerdicts = await Promise.race([verdictsSeen, new Promise<boolean>((resolve) => setTimeout(() => { resolve(false); }, 20_000))]);
      await route.continue();
    });
    await page.goto(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments`);
    await expect.poll(() => page.locator('#row-status').innerText(), { timeout: 30_000 }).toMatch(/^\d+ verdict rows/);
    expect(heldUntilVerdicts).toBe(true);
    expect(asked.sort()).toEqual(['/audit/verdicts', '/ui/api/policies', '/ui/api/session']);
    await page.close();
  });

  it('serves a strict CSP and runs no inline script, so hostile names and reasons stay text', async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments&src=img`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^1 verdict rows/);
    const cell = page.locator('tbody tr[data-index]').first();
    await expect.poll(() => cell.innerText()).toContain(`web/${HOSTILE_POD}`);
    await cell.click();
    await expect.poll(() => page.locator('#detail .reason').innerText()).toBe(hostileReason(nsA));
    expect(await page.locator('#detail .reason').innerText()).toContain(`pods tier=${HOSTILE_LABEL}`);
    // The rule the hostile reason names is still read from it.
    expect(await page.locator('#detail-rule').innerText()).toMatch(/ingress rule 0 matches the peer's labels, but in another namespace[\s\S]*ingress rule 0 \(nearest\)/);
    // Evaluated in the page: an inline script added now must be blocked by the CSP.
    const state = await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      return { pwned: window.__pwned ?? null, inline: window.__inline ?? null, inlineScripts: document.querySelectorAll('script:not([src])').length - 1, injected: document.querySelectorAll('#app img, #app b').length };
    })()`);
    expect(state).toEqual({ pwned: null, inline: null, inlineScripts: 0, injected: 0 });
    await page.close();
  });

  it('shows a namespace-scoped user only their namespace, and the broker refuses the rest', async () => {
    const page = await open(viewerUrl);
    await expect.poll(() => page.locator('#policies tbody tr').count()).toBe(5);
    expect(await page.locator('#policies').innerText()).not.toContain(nsB);
    expect(await page.locator('#scope').innerText()).toContain(`namespace ${nsA}`);
    await page.goto(`${viewerUrl}?view=policy&kind=anp&ns=${nsB}&name=other-team`);
    await expect.poll(() => page.locator('[role=alert]').innerText()).toMatch(new RegExp(`may not get auditverdicts.kguardian.dev in namespace ${nsB}[\\s\\S]*HTTP 403`));
    expect(await page.locator('body').innerText()).not.toContain('secret-client');
    await page.close();
    const adminPage = await open(await startView(admin, { A: true }));
    await expect.poll(() => adminPage.locator('#policies').innerText()).toContain(`${nsB}/other-team`);
    await adminPage.close();
  });

  it('keeps the filters in the URL: applied, reloaded and shared, they give the same rows', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^4 verdict rows/);
    await page.fill('input[name=src]', 'web/web');
    await page.fill('input[name=port]', '8080');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^2 verdict rows/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ view: 'policy', ns: nsA, name: 'payments', src: 'web/web', port: '8080' });
    const shared = await open(page.url());
    await expect.poll(() => shared.locator('#row-status').innerText()).toMatch(/^2 verdict rows/);
    expect(await shared.inputValue('input[name=src]')).toBe('web/web');
    expect(await shared.inputValue('input[name=port]')).toBe('8080');
    await page.goBack();
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^4 verdict rows/);
    await page.close();
    await shared.close();
  });

  it('opens a row with the keyboard to its reason and rule, and shows the promotion gate and command', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments&verdict=any`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^5 verdict rows/);
    await page.locator('.scroll').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#detail').innerText()).toMatch(/Rule\s+No ingress rule of the policy matched this flow\.[\s\S]*The 1 ingress rule of generation 1, which judged this verdict:/);
    expect(await page.locator('#promote-command').innerText()).toBe(`kubectl kguardian audit promote payments -n ${nsA} | kubectl apply -f -`);
    expect(await page.locator('.promotion h2').innerText()).toContain('Not safe to promote');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/would-deny-table.png`, fullPage: true });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#detail').count()).toBe(0);
    await page.close();
  });

  it('shows each policy\'s latest generation by default, as `verdicts` does, and every generation when asked, in the URL', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=edited&verdict=any`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^3 verdict rows of the latest generation/);
    const gens = (): Promise<string[]> => page.evaluate<string[]>("[...document.querySelectorAll('.scroll tbody tr[data-id]')].map((tr) => tr.children[8].textContent)");
    expect(await gens()).toEqual(['2', '2', '2']);
    await page.selectOption('select[name=generations]', 'all');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^4 verdict rows$/);
    expect((await gens()).sort()).toEqual(['1', '2', '2', '2']);
    expect(new URL(page.url()).searchParams.get('generations')).toBe('all');
    const shared = await open(page.url());
    await expect.poll(() => shared.locator('#row-status').innerText()).toMatch(/^4 verdict rows$/);
    expect(await shared.inputValue('select[name=generations]')).toBe('all');
    await page.close();
    await shared.close();
  });

  it('shows each verdict\'s connection state: a column, a filter and the row detail, a refused or unanswered attempt marked as failed', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=edited&verdict=any`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^3 verdict rows/);
    const cells = await page.evaluate<string[][]>("[...document.querySelectorAll('.scroll tbody tr[data-id]')].map((tr) => [tr.children[1].textContent, tr.children[2].textContent, tr.children[2].className])");
    expect(cells.sort()).toEqual([
      ['✓ Allow', '✕ attempt', 'c-state failed'],
      ['✓ Allow', 'established', 'c-state'],
      ['✕ WouldDeny', '✕ refused', 'c-state failed'],
    ].sort());
    await page.selectOption('select[name=state]', 'refused');
    await page.click('form.filters button[type=submit]');
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^1 verdict rows/);
    expect(new URL(page.url()).searchParams.get('state')).toBe('refused');
    await page.locator('.scroll tbody tr[data-index]').first().click();
    const state = page.locator('#detail-state');
    await expect.poll(() => state.innerText()).toMatch(/^refused: the destination answered with a reset\. It was tried and failed: not working traffic\.$/);
    expect(await state.getAttribute('class')).toBe('failed');
    await page.close();
  });

  it('names the rule a verdict concerns, from the generation that judged it: the allowing rule, or that none matched and the nearest', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=edited&verdict=any&generations=all`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^4 verdict rows/);
    const detailOf = async (...texts: string[]): Promise<{ text: string; rules: string[] }> => {
      await texts.reduce((rows, hasText) => rows.filter({ hasText }), page.locator('.scroll tbody tr[data-index]')).click();
      await expect.poll(() => page.locator('#detail-rule').count()).toBe(1);
      const r = { text: await page.locator('#detail-rule').innerText(), rules: await page.locator('#detail-rule .rule h4').allInnerTexts() };
      await page.keyboard.press('Escape');
      return r;
    };
    const allowed = await detailOf('web/web-1', 'established');
    expect(allowed.text).toMatch(/^Allowed by ingress rule 1\./);
    expect(allowed.rules).toEqual(['ingress rule 1 (generation 2, which judged this verdict)']);
    expect(allowed.text).toContain('"port": 8080');
    const denied = await detailOf('✕ refused');
    expect(denied.text).toMatch(/^No ingress rule of the policy matched this flow\.\s+Nearest: ingress rule 1 admits this peer, but not on 9090\/TCP\.\s+The 2 ingress rules of generation 2, which judged this verdict:/);
    expect(denied.rules).toEqual(['ingress rule 0', 'ingress rule 1 (nearest)']);
    // Generation 1's verdict: the rules now in the cluster did not judge it, and the broker keeps no older spec.
    const older = await detailOf('web/web-old');
    expect(older.text).toMatch(/^No ingress rule of the policy matched this flow\.\s+Judged by generation 1; the policy is now at generation 2\. The broker keeps no older specs, so the rules that judged this verdict cannot be shown\.$/);
    expect(older.rules).toEqual([]);
    await page.close();
  });

  it('lists the AuditClusterNetworkPolicies with -A, each with its promote-cluster command', async () => {
    const url = await startView(admin, { A: true });
    const page = await open(url);
    const row = page.locator('#policies tbody tr', { hasText: `${nsA}-platform` });
    await expect.poll(() => row.count()).toBe(1);
    expect((await row.locator('td').first().innerText()).trim()).toBe('ACNP');
    await row.locator('a').click();
    await expect.poll(() => page.locator('#promote-command').count()).toBe(1);
    expect(await page.locator('#promote-command').innerText()).toBe(`kubectl kguardian audit promote-cluster ${nsA}-platform | kubectl apply -f -`);
    expect(new URL(page.url()).searchParams.get('kind')).toBe('acnp');
    expect(await page.locator('h1').innerText()).toBe(`AuditClusterNetworkPolicy ${nsA}-platform`);
    await page.close();
  });

  it('groups by source and destination workload with counts and a histogram', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments&tab=grouped`);
    const group = page.locator('#groups tbody tr', { hasText: 'web/web' });
    await expect.poll(() => group.count()).toBe(1);
    const cells = await group.locator('th, td').allInnerTexts();
    expect(cells.slice(0, 5)).toEqual(['web/web', `${nsA}/payments`, '8080/TCP', '2', '0']);
    expect(await group.locator('svg.histogram rect').count()).toBe(24);
    await page.close();
  });

  it('marks would-deny edges by more than colour, and an edge click filters the table', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=payments&verdict=any&tab=map`);
    const deny = page.locator('g.edge.deny[data-src="web/batch"]');
    await expect.poll(() => deny.count()).toBe(1);
    expect(await deny.locator('path.cross').count()).toBe(1);
    expect(await deny.getAttribute('aria-label')).toContain('would be denied');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/flow-map.png`, fullPage: true });
    await deny.click();
    await expect.poll(() => new URL(page.url()).searchParams.get('src')).toBe('web/batch');
    expect(new URL(page.url()).searchParams.get('dst')).toBe(`${nsA}/payments`);
    await expect.poll(() => page.locator('#row-status').innerText()).toMatch(/^1 verdict rows/);
    await page.close();
  });

  it('tails live verdicts across pause, resume and a forced reconnect without losing or repeating a row', async () => {
    const page = await open(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=live&tab=tail&verdict=any`);
    let streams = 0;
    page.on('request', (r) => {
      if (r.url().includes('/audit/verdicts/stream')) streams++;
    });
    await expect.poll(() => page.locator('#tail-state').innerText()).toBe('live');
    const seed = (from: number, n: number): Promise<number> =>
      seedVerdicts(stack.store, ref(policies.live!), Array.from({ length: n }, (_, i) => flow(`tail-${from + i}`, 'payments-0', 1000 + from + i, i % 2 ? 'Allow' : 'WouldDeny')));
    // Page functions as strings: the tests' TypeScript has no DOM types.
    const ids = (): Promise<number[]> => page.evaluate<number[]>("[...document.querySelectorAll('.scroll tbody tr[data-id]')].map((tr) => Number(tr.dataset.id))");
    await seed(0, 5);
    await expect.poll(async () => (await ids()).length).toBe(5);

    await page.click('#tail-toggle');
    await expect.poll(() => page.locator('#tail-state').innerText()).toBe('paused');
    await seed(5, 5);
    await page.click('#tail-toggle');
    await expect.poll(async () => (await ids()).length).toBe(10);

    const before = streams;
    stack.dropConnections();
    await expect.poll(() => streams, { timeout: 20_000 }).toBeGreaterThan(before);
    await seed(10, 5);
    await expect.poll(async () => (await ids()).length, { timeout: 20_000 }).toBe(15);
    const shown = await ids();
    expect(new Set(shown).size).toBe(15);
    // Newest first, and every id once: nothing lost across the pause or the reconnect.
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(await page.locator('#tail-count').innerText()).toMatch(/^15 received, 15 shown/);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/live-tail.png`, fullPage: true });
    await page.close();
  });

  it.each(['light', 'dark'] as const)('is readable in the %s system theme: every visible text has a contrast of at least 4.5:1 with what is behind it', async (scheme) => {
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    for (const query of ['', `?view=policy&kind=anp&ns=${nsA}&name=payments&verdict=any`]) {
      await page.goto(`${viewerUrl}${query}`);
      await expect.poll(() => page.locator(query === '' ? '#policies tbody tr' : '.scroll tbody tr[data-index]').count()).toBeGreaterThan(0);
      if (query !== '') {
        // A row opened and selected: the detail panel and the selection colour are checked too.
        await page.locator('.scroll').focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator('#detail').count()).toBe(1);
      }
      const r = await page.evaluate<{ bodyLuminance: number; checked: number; low: { text: string; ratio: number }[] }>(CONTRAST);
      expect(r.checked).toBeGreaterThan(20);
      expect(r.low).toEqual([]);
      // The theme really follows the system: a dark page in dark mode, a light one in light mode.
      if (scheme === 'dark') expect(r.bodyLuminance).toBeLessThan(0.05);
      else expect(r.bodyLuminance).toBeGreaterThan(0.9);
      if (SHOTS && scheme === 'dark' && query !== '') await page.screenshot({ path: `${SHOTS}/would-deny-table-dark.png`, fullPage: true });
    }
    await page.close();
  });

  it('holds 10,000 verdicts with a bounded number of rows in the DOM, by scroll and by keyboard, showing the newest before the older pages come', async () => {
    const n = 10_000;
    expect(await seedVerdicts(stack.store, ref(policies.bulk!), Array.from({ length: n }, (_, i) => flow(`client-${i}`, 'payments-0', 8080, 'WouldDeny')))).toBe(n);
    const page = await browser.context.newPage();
    // The older pages of the read wait until released: the newest are on screen before they come.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route(/\/audit\/verdicts\?.*before_id=/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${viewerUrl}?view=policy&kind=anp&ns=${nsA}&name=bulk`);
    const rows = page.locator('.scroll tbody tr[data-index]');
    await expect.poll(() => page.locator('#row-status').innerText(), { timeout: 30_000 }).toBe('loading: 1,000 verdict rows so far, older ones on their way…');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('table.grid').getAttribute('aria-rowcount')).toBe('1001');
    release();
    await expect.poll(() => page.locator('#row-status').innerText(), { timeout: 30_000 }).toMatch(/^10,000 verdict rows/);
    const bound = 80;
    expect(await rows.count()).toBeLessThan(bound);
    expect(await page.locator('table.grid').getAttribute('aria-rowcount')).toBe(String(n + 1));
    await page.evaluate("document.querySelector('.scroll').scrollTop = document.querySelector('.scroll').scrollHeight");
    await expect.poll(() => page.locator(`.scroll tbody tr[aria-rowindex="${n + 1}"]`).count()).toBe(1);
    expect(await rows.count()).toBeLessThan(bound);
    await page.locator('.scroll').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('.scroll tbody tr.selected').getAttribute('aria-rowindex')).toBe('2');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('.scroll tbody tr.selected').getAttribute('aria-rowindex')).toBe(String(n + 1));
    expect(await rows.count()).toBeLessThan(bound);
    await page.close();
  });
});

