/**
 * The local playground (scripts/demo.sh, scripts/playground.sh): the whole kguardian pipeline on
 * loopback with a little shop of netns pods and a policy with a mistake; shows what kguardian
 * reports, suggests the fix and the promote command, prints the Would-Deny web view's URL, and
 * keeps running until Ctrl-C. Without root it says so and replays recorded traffic instead of
 * capturing it.
 *
 *   --once            run the scenario, print, clean up, exit 0 (all shown as expected) or 1
 *   --recorded        use the recorded traffic even as root
 *   --record FILE     (kernel mode) save the flows this run captured, for the recorded mode
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cgroup2Root, childrenNamed, programsHeldBy, programsOnCgroup } from './bpf-programs.js';
import { Cleanup, cleanupOnSignals } from './cleanup.js';
import { loud, step, warn } from './log.js';
import { PLAYGROUND_SUBNET } from './netns.js';
import { KG_LOADER } from './paths.js';
import { record, loadRecording, RECORDING } from './recorded.js';
import { applyPolicy, makeTraffic, replayRecording, startServers, waitForCounts, waitObserved } from './run-scenario.js';
import { POLICY, POLICY_FILE } from './scenario.js';
import { showResults, suggestFix } from './show.js';
import { startStack, type Stack, type TrafficMode } from './stack.js';
import { ensureTracefs } from './tracefs.js';
import { startWebView } from './web-view.js';

interface Options {
  once: boolean;
  recorded: boolean;
  record?: string;
}

function options(): Options {
  const { values } = parseArgs({ options: { once: { type: 'boolean', default: false }, recorded: { type: 'boolean', default: false }, record: { type: 'string' } } });
  return { once: values.once ?? false, recorded: values.recorded ?? false, ...(values.record ? { record: values.record } : {}) };
}

function chooseMode(o: Options): TrafficMode {
  if (o.recorded) return 'recorded';
  if (process.getuid?.() !== 0) {
    loud([`Not running as root (uid ${process.getuid?.() ?? '?'}): no eBPF agent and no network namespaces.`, 'Running with RECORDED traffic instead (playground/recorded/shop-flows.json posted to the broker).', 'Run as root (sudo bash scripts/demo.sh) to capture real traffic between netns pods.']);
    return 'recorded';
  }
  if (!existsSync(KG_LOADER)) throw new Error(`${KG_LOADER} is missing: run make -C bpf (scripts/demo.sh does it)`);
  return 'kernel';
}

/** Says which eBPF programs the agent's kg-loader holds and which sit on the cgroup v2 root (the cleanup test checks they go). */
async function reportPrograms(agentPid: number | undefined): Promise<void> {
  const [loader] = agentPid === undefined ? [] : childrenNamed(agentPid, 'kg-loader');
  if (loader === undefined) {
    warn('could not find the agent\'s kg-loader process to list its eBPF programs');
    return;
  }
  const held = programsHeldBy(loader);
  const root = cgroup2Root();
  const onRoot = (await programsOnCgroup(root)).filter((id) => held.includes(id));
  step(`kg-loader (pid ${loader}) holds eBPF programs ${held.join(', ')}; ${onRoot.join(', ') || 'none'} attached to the cgroup v2 root ${root}`);
}

async function scenario(stack: Stack, mode: TrafficMode, runDir: string, o: Options, cleanup: Cleanup): Promise<boolean> {
  await applyPolicy(stack, POLICY_FILE);
  await waitObserved(stack);
  if (mode === 'kernel') {
    step('starting servers in the pods: payments :8080, database :5432, coredns :53/UDP (a DNS server for NAME.NAMESPACE.svc.cluster.local)');
    await startServers(stack, runDir, cleanup);
    await makeTraffic(stack);
  } else {
    await replayRecording(stack);
  }
  const counts = await waitForCounts(stack, false);
  if (o.record) {
    const n = await record(stack.broker.url, Object.fromEntries([...stack.pods].map(([name, p]) => [name, p.ip])), o.record);
    step(`recorded ${n} flows into ${o.record}`);
  }
  const shown = await showResults(stack.kubectl, stack.broker.url);
  if (!counts.met && stack.evaluator) warn(`expected WOULD-DENY ${counts.want.wouldDeny} and ALLOWED ${counts.want.allowed}, the status says ${counts.status.wouldDeny ?? 'nothing'} and ${counts.status.allowed ?? 'nothing'}`);
  suggestFix(stack.kubectl.kubeconfig, stack.kubectl.binary, stack.broker.url);
  let viewOk = true;
  try {
    const url = await startWebView(stack.kubectl.kubeconfig, stack.broker.url, cleanup);
    if (url) step(`the Would-Deny web view (kubectl kguardian ui -n ${POLICY.namespace}, run by the playground${o.once ? '; it stops when the playground exits' : ''}): ${url}`);
  } catch (err) {
    viewOk = false;
    warn(`the web view did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (stack.missing.length > 0) loud(['NOT a complete pipeline, parts are missing from this checkout:', ...stack.missing]);
  return counts.met && stack.missing.length === 0 && shown.failed.length === 0 && viewOk;
}

async function main(): Promise<number> {
  const o = options();
  const cleanup = new Cleanup();
  cleanupOnSignals(cleanup, (l) => { step(`cleanup: ${l}`); });
  const runDir = mkdtempSync(join(tmpdir(), 'kg-playground-'));
  cleanup.add(`remove ${runDir}`, () => { rmSync(runDir, { recursive: true, force: true }); });
  step(`run folder (logs of every process): ${runDir}`);
  let ok = false;
  try {
    const mode = chooseMode(o);
    const recordedIps = mode === 'recorded' ? loadRecording(RECORDING).pods : undefined;
    // kg-loader would mount tracefs itself if absent and never unmount it; mounted here, the cleanup undoes it.
    if (mode === 'kernel') await ensureTracefs(cleanup);
    const stack = await startStack({ runDir, mode, subnet: PLAYGROUND_SUBNET, ...(recordedIps ? { recordedIps } : {}) }, cleanup);
    if (stack.agent) await reportPrograms(stack.agent.daemon.child.pid);
    ok = await scenario(stack, mode, runDir, o, cleanup);
    if (!o.once) {
      step(`the playground is running (${POLICY.namespace}/${POLICY.name} in audit mode); Ctrl-C stops it and removes everything it made`);
      await new Promise(() => undefined);
    }
  } catch (err) {
    warn(`the playground failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const failed = await cleanup.runAll((l) => { step(`cleanup: ${l}`); });
  for (const f of failed) warn(`cleanup failed: ${f}`);
  step(ok ? 'the playground ran as expected' : 'the playground did NOT run as expected (see above)');
  return ok && failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
