/**
 * `gen networkpolicy` end to end: read the cluster and the flows (files, or the live cluster and
 * the broker), choose the workloads, generate and check, then print or write the policies. With
 * --holdout the last part of the window is kept out of learning and the policies are judged on
 * it, reporting every flow they would deny there.
 */
import type { LineFlow } from '../audit-test/load-flows.js';
import { loadFlows } from '../audit-test/load-flows.js';
import { CliError, EXIT } from '../errors.js';
import { readSource } from '../input/read-source.js';
import type { CliIO } from '../io.js';
import { judge } from './check.js';
import { resolveFlows } from './ends.js';
import { generate, GenerationUnsafe, type GenResult } from './generate.js';
import { provenanceText, timeText } from './policy.js';
import { denialLines, refusalLines, renderPolicies, writePolicies } from './render.js';
import { selectTargets } from './select.js';
import { loadSnapshot } from './snapshot.js';
import type { GenInputs, GenOptions } from './options.js';
import type { GenSettings } from './types.js';
import { allHeldOut, lateAfter, splitHoldout, windowOf, type HoldoutSplit } from './windows.js';
import { groupWorkloads } from './workloads.js';

export type { GenInputs, GenOptions };

const SHOW_DENIALS = 20;

async function readInputs(opts: GenOptions, io: CliIO): Promise<GenInputs> {
  if (opts.cluster !== undefined && opts.flows !== undefined) {
    const [cluster, flows] = [await readSource(opts.cluster, io), await readSource(opts.flows, io)];
    return { cluster, flows, source: flows.name };
  }
  const { readGenLiveInputs } = await import('./live-inputs.js');
  return readGenLiveInputs(opts, io);
}

function heldOutOf(opts: GenOptions, inputs: GenInputs, flows: LineFlow[]): { learn: LineFlow[]; split: HoldoutSplit | undefined } {
  if (inputs.heldOut) {
    const heldOut = loadFlows(inputs.heldOut.flows);
    return { learn: flows, split: { learn: flows, heldOut, from: inputs.heldOut.from, to: inputs.heldOut.to } };
  }
  if (opts.holdoutMs === undefined) return { learn: flows, split: undefined };
  const split = splitHoldout(flows, inputs.flows.name, opts.holdoutMs, undefined);
  return { learn: split.learn, split };
}

/** No flow before the held-out window: say whether there are flows at all, or all of them were held out. */
function nothingToLearn(opts: GenOptions, inputs: GenInputs): CliError {
  const heldOut = inputs.heldOut ? loadFlows(inputs.heldOut.flows) : [];
  if (inputs.heldOut && opts.holdoutMs !== undefined && heldOut.length > 0) return allHeldOut(inputs.source, heldOut, opts.holdoutMs, inputs.heldOut.to);
  return new CliError(`no flows in ${inputs.source}: nothing to learn from`, EXIT.failure);
}

function summary(result: GenResult, opts: GenOptions, learn: readonly LineFlow[]): string {
  const n = result.policies.length;
  const what = n === 1 ? opts.kind : opts.kind === 'NetworkPolicy' ? 'NetworkPolicies' : 'AuditNetworkPolicies';
  const window = windowOf(learn);
  const flows = learn.reduce((a, f) => a + f.seen.count, 0);
  return `generated ${n} ${what} from ${provenanceText({ flows, ...window })}`;
}

function reportHoldout(result: GenResult, split: HoldoutSplit, inputs: { namespaces: Parameters<typeof judge>[0]; pods: Parameters<typeof judge>[1] }, cluster: Parameters<typeof resolveFlows>[0], io: CliIO): void {
  const resolved = resolveFlows(cluster, split.heldOut);
  const judged = resolved.flows.map((f) => f.input);
  const denials = judge(inputs.namespaces, inputs.pods, result.policies.map((p) => p.object)).denials(judged);
  const lines = new Map(denials.map((d) => [d.line, d.count]));
  const flows = [...lines.values()].reduce((a, b) => a + b, 0);
  const window = `${timeText(split.from)} to ${timeText(split.to)}`;
  const gone = resolved.gone.size > 0 ? `, ${[...resolved.gone.values()].reduce((a, b) => a + b, 0)} left out (pods gone)` : '';
  const verdict = lines.size === 0 ? 'would deny none of them' : `would deny ${lines.size} of them (${flows} flow${flows === 1 ? '' : 's'}):`;
  const judgedText = `${judged.length} flow line${judged.length === 1 ? '' : 's'} judged`;
  io.stderr.write(`held-out window ${window}: ${judgedText}${gone}; the generated policies ${verdict}\n`);
  for (const line of denialLines(denials, SHOW_DENIALS)) io.stderr.write(line + '\n');
}

function namespaceOf(opts: GenOptions, inputs: GenInputs): string | undefined {
  if (opts.allNamespaces) return undefined;
  if (opts.namespace !== undefined) return opts.namespace;
  if (inputs.contextNamespace !== undefined) return inputs.contextNamespace;
  throw new CliError('name a namespace with -n NAMESPACE, or -A for every namespace', EXIT.badInput);
}

export async function runGen(opts: GenOptions, io: CliIO): Promise<number> {
  const inputs = await readInputs(opts, io);
  const snapshot = loadSnapshot(inputs.cluster);
  const cluster = groupWorkloads(snapshot);
  const all = loadFlows(inputs.flows);
  if (all.length === 0) throw nothingToLearn(opts, inputs);
  const { learn, split } = heldOutOf(opts, inputs, all);
  const targets = selectTargets(cluster, { workload: opts.workload, selector: opts.selector, namespace: namespaceOf(opts, inputs) });
  const settings: GenSettings = { kind: opts.kind, aggregateV4: opts.aggregateV4, aggregateV6: opts.aggregateV6, minFlows: opts.minFlows, recentAfter: lateAfter(windowOf(learn)), source: inputs.source };
  const pods = snapshot.pods.map((p) => p.info);
  let result: GenResult;
  try {
    result = generate({ namespaces: snapshot.namespaces, pods, cluster, targets, flows: learn, settings });
  } catch (e) {
    if (!(e instanceof GenerationUnsafe)) throw e;
    io.stderr.write(`error: refusing to emit: ${e.message}:\n${denialLines(e.denials, SHOW_DENIALS).join('\n')}\n`);
    return EXIT.unsafe;
  }
  for (const line of [...result.warnings, ...refusalLines(result.refused)]) io.stderr.write(line + '\n');
  if (opts.outputDir !== undefined) {
    const paths = await writePolicies(opts.outputDir, io.cwd, result.policies, opts.output);
    for (const p of paths) io.stdout.write(`wrote ${p}\n`);
  } else io.stdout.write(renderPolicies(result.policies, opts.output, opts.workload !== undefined));
  io.stderr.write(summary(result, opts, learn) + '\n');
  if (split) reportHoldout(result, split, { namespaces: snapshot.namespaces, pods }, cluster, io);
  return result.policies.length === 0 || result.refused.some((r) => r.severity === 'refused') ? EXIT.unsafe : EXIT.ok;
}
