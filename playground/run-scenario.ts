/**
 * The scenario on a running stack: apply the candidate policy, make the traffic (real, between
 * the netns pods, or the recording), and wait until the policy's status counts it.
 */
import { policyStatus, waitForStatus, type PolicyStatus } from './cluster.js';
import type { Cleanup } from './cleanup.js';
import { step, warn } from './log.js';
import { loadRecording, replay, RECORDING } from './recorded.js';
import { DEFAULT_TRAFFIC, expectedCounts, POLICY, type TrafficPlan } from './scenario.js';
import type { Stack, StackPod } from './stack.js';
import { serve, tcp, udp } from './traffic.js';

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
  for (const p of stack.pods.values()) {
    if (p.spec.serves.length > 0 && p.netns) await serve(p.netns, p.spec.serves, runDir, cleanup);
  }
}

/** Real connections and lookups between the netns pods, exactly as many as the plan says. */
export async function makeTraffic(stack: Stack, plan: TrafficPlan = DEFAULT_TRAFFIC): Promise<void> {
  const [frontend, payments, database, dns] = [pod(stack, 'frontend'), pod(stack, 'payments'), pod(stack, 'database'), pod(stack, 'coredns')];
  step(`traffic: frontend -> payments:8080 x${plan.frontendToPayments}, payments -> database:5432 x${plan.paymentsToDatabase}, payments -> coredns:53/UDP x${plan.dnsLookups} lookups`);
  await tcp(frontend.netns, payments.ip, 8080, plan.frontendToPayments);
  await tcp(payments.netns, database.ip, 5432, plan.paymentsToDatabase);
  await udp(payments.netns, dns.ip, 53, plan.dnsLookups);
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
