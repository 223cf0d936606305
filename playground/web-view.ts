/**
 * The Would-Deny web view for the playground: the view's files built into the checkout (where the
 * broker run from source serves them), then `kubectl kguardian ui -n shop` run in this process
 * (the plugin's own code, with the playground's kubeconfig and broker), checked to answer (the
 * page, and payments-isolation in its policy list); the caller prints its URL. It stops with the
 * playground. A user who may not write the checkout (the non-root playground in root's clone)
 * gets the files built there before, or, with none, a warning and no view.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildUi } from '../daemons/broker/ui/build.js';
import type { UiPolicyList } from '../contracts/web-view.js';
import { DEFAULT_UI_DIR } from '../daemons/broker/ui/route.js';
import { uiOptions } from '../plugin/commands/ui.js';
import { memoryIO } from '../plugin/io.js';
import { runUi } from '../plugin/ui/run.js';
import type { Cleanup } from './cleanup.js';
import { step, warn } from './log.js';
import { POLICY } from './scenario.js';

function writable(path: string): boolean {
  try {
    accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Builds the view's files unless the checkout is not ours to write; false when there are none to serve. */
async function ensureBuilt(): Promise<boolean> {
  const built = existsSync(join(DEFAULT_UI_DIR, 'index.html'));
  if (writable(DEFAULT_UI_DIR)) {
    step(`bundling the web view into ${DEFAULT_UI_DIR}`);
    await buildUi(DEFAULT_UI_DIR);
    return true;
  }
  if (built) warn(`${DEFAULT_UI_DIR} is not writable by uid ${process.getuid?.() ?? '?'}: the web view is served as built there before`);
  else warn(`${DEFAULT_UI_DIR} is not writable by uid ${process.getuid?.() ?? '?'} and holds no built view: no Would-Deny web view in this run`);
  return built;
}

/** Starts the view; resolves with its URL once it answers, or undefined when there is no view to serve. */
export async function startWebView(kubeconfig: string, brokerUrl: string, cleanup: Cleanup): Promise<string | undefined> {
  if (!(await ensureBuilt())) return undefined;
  const abort = new AbortController();
  const io = memoryIO();
  const opts = uiOptions({ kubeconfig, brokerUrl, n: POLICY.namespace }); // no --port: any free port
  let running: Promise<number> | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    running = runUi(opts, io, abort.signal, resolve);
    running.catch(reject);
  });
  cleanup.add('stop the web view (kubectl kguardian ui)', async () => {
    abort.abort();
    await running;
  });
  await answers(url);
  return url;
}

/** The page loads and the policy list names the scenario's policy, or it throws saying what did not. */
async function answers(url: string): Promise<void> {
  const page = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (page.status !== 200) throw new Error(`the web view at ${url} answered ${page.status}: ${(await page.text()).slice(0, 200)}`);
  const list = await fetch(new URL('/ui/api/policies', url), { signal: AbortSignal.timeout(30_000) });
  const body = (await list.json()) as UiPolicyList;
  if (!body.policies.some((p) => p.namespace === POLICY.namespace && p.name === POLICY.name)) {
    throw new Error(`the web view's policy list (${list.status}) does not name ${POLICY.namespace}/${POLICY.name}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}
