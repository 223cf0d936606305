/**
 * The scenario on a running stack: apply the candidate policy, make the traffic (real, between
 * the netns pods, or the recording), and wait until the policy's status counts it.
 */
import { policyStatus, waitForStatus, type PolicyStatus } from './cluster.js';
import type { Cleanup } from './cleanup.js';
import { serviceName } from './dns-server.js';
import { step, warn } from './log.js';
import { loadRecording, replay, RECORDING } from './recorded.js';
import { DEFAULT_TRAFFIC, expectedCounts, POLICY, type TrafficPlan } from './scenario.js';
import type { Stack, StackPod } from './stack.js';
import { resolve, serve, tcp } from './traffic.js';

export async function applyPolicy(stack: Stack, file: string): Promise<PolicyStatus> {
  step(`kubectl apply -f ${file.replace(/^.*\/playground\//, 'playground/')}`);
  await stack.kubectl.ok(['apply', '-f', file]);
  return policyStatus(stack.kubectl, POLICY.namespace, POLICY.name);
}

/** Waits until the evaluator stamps the policy's current generation (when there is an evaluator). */
export async function waitObserved(stack: Stack, timeoutMs = 60_000): Promise<boolean> {
  if (!stack.evaluator) return false;
  const { met, status } = await waitForStatus(stack.kubectl, POLICY.namespace, POLICY.name, (s) => s.observedGeneration === s.generation && s.synced, timeoutMs);
  if (!met) warn(`the evaluator did not report generation ${status.generation} as observed within ${timeoutMs / 1000}s (observedGeneration ${status.observedGeneration ?? 'unset'})`);
  return met;
}

const pod = (stack: Stack, name: string): StackPod & { netns: NonNullable<StackPod['netns']> } => {
  const p = stack.pods.get(name);
  if (!p?.netns) throw new Error(`pod ${name} has no network namespace`);
  return p as StackPod & { netns: NonNullable<StackPod['netns']> };
};

export async function startServers(stack: Stack, runDir: string, cleanup: Cleanup): Promise<void> {
  // The DNS server answers for every pod, by the address it got in this run.
  const records = [...stack.pods.values()].map((p) => `a:${serviceName(p.spec.name, p.spec.namespace)}=${p.ip}`);
  for (const p of stack.pods.values()) {
    const specs = p.spec.serves.some((s) => s.startsWith('dns:')) ? [...p.spec.serves, ...records] : p.spec.serves;
    if (specs.length > 0 && p.netns) await serve(p.netns, specs, runDir, cleanup);
  }
}

/** Looks `target` up from `from` with real DNS queries at coredns; fails unless it answers the target's address. */
async function lookUp(stack: Stack, from: StackPod & { netns: NonNullable<StackPod['netns']> }, target: StackPod, count: number): Promise<string> {
  const name = serviceName(target.spec.name, target.spec.namespace);
  const ip = await resolve(from.netns, pod(stack, 'coredns').ip, name, count);
  if (ip !== target.ip) throw new Error(`coredns answered ${ip} for ${name}; the pod's address is ${target.ip}`);
  return ip;
}

/** Real lookups and connections between the netns pods, exactly as many as the plan says. */
export async function makeTraffic(stack: Stack, plan: TrafficPlan = DEFAULT_TRAFFIC): Promise<void> {
  const [frontend, payments, database] = [pod(stack, 'frontend'), pod(stack, 'payments'), pod(stack, 'database')];
  const [paymentsName, databaseName] = [serviceName('payments', payments.spec.namespace), serviceName('database', database.spec.namespace)];
  step(`traffic: frontend looks up ${paymentsName} x${plan.frontendLookups} and connects to payments:8080 x${plan.frontendToPayments}; payments looks up ${databaseName} x${plan.dnsLookups} (DNS, coredns:53/UDP) and connects to database:5432 x${plan.paymentsToDatabase}`);
  await tcp(frontend.netns, await lookUp(stack, frontend, payments, plan.frontendLookups), 8080, plan.frontendToPayments);
  await tcp(payments.netns, await lookUp(stack, payments, database, plan.dnsLookups), 5432, plan.paymentsToDatabase);
}

export async function replayRecording(stack: Stack): Promise<void> {
  const n = await replay(stack.broker.url, loadRecording(RECORDING));
  step(`replayed ${n} recorded flow observations into the broker's POST /v1/flows (${RECORDING.replace(/^.*\/playground\//, 'playground/')})`);
}

/** Waits for the status counts the plan implies; resolves with whether they were reached. */
export async function waitForCounts(stack: Stack, fixed: boolean, plan: TrafficPlan = DEFAULT_TRAFFIC, timeoutMs = 60_000): Promise<{ met: boolean; status: PolicyStatus; want: { wouldDeny: number; allowed: number } }> {
  const want = expectedCounts(plan, fixed);
  if (!stack.evaluator) return { met: false, status: await policyStatus(stack.kubectl, POLICY.namespace, POLICY.name), want };
  step(`waiting for ${POLICY.namespace}/${POLICY.name}'s status to count ${want.wouldDeny} would-deny and ${want.allowed} allowed`);
  const r = await waitForStatus(stack.kubectl, POLICY.namespace, POLICY.name, (s) => s.synced && s.wouldDeny === want.wouldDeny && s.allowed === want.allowed, timeoutMs);
  return { ...r, want };
}
