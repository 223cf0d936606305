/**
 * `describe` as text, in the layout of `kubectl describe`: "Field:  value" lines, indented
 * tables for conditions, offenders and events, and the promote verdict last, with the
 * command to run next.
 */
import type { Offender, FlowEnd } from '../kube/objects.js';
import { renderTable } from '../output/table.js';
import { age } from './age.js';
import type { DescribeModel, DirectionRules } from './model.js';

const PAD = 18;

function field(name: string, value: string): string {
  return `${`${name}:`.padEnd(PAD)}${value}\n`;
}

function labels(l: Record<string, string>): string {
  const entries = Object.entries(l).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function direction(name: 'Ingress' | 'Egress', rules: DirectionRules | undefined): string {
  if (rules === undefined) return '';
  if (rules === null) return field(name, `not restricted (${name} is not in policyTypes)`);
  if (rules.length === 0) return field(name, `every ${name.toLowerCase()} flow of the selected pods is denied (no rules)`);
  const word = name === 'Ingress' ? 'from' : 'to';
  return `${name}:\n${rules.map((r) => `  ${`Rule ${r.rule}:`.padEnd(PAD - 2)}${word} ${r.peers}; on ${r.ports}\n`).join('')}`;
}

function specText(m: DescribeModel): string {
  if (m.specProblem) return field('Spec', m.specProblem);
  let out = '';
  if (m.namespaceSelector !== undefined) out += field('Namespaces', m.namespaceSelector === '<all>' ? 'all namespaces' : `namespaces ${m.namespaceSelector}`);
  const pods = m.podSelector === '<all>' ? 'all pods' : `pods ${m.podSelector ?? ''}`;
  out += field('Selects', m.namespace ? `${pods} in namespace ${m.namespace}` : `${pods} in the namespaces above`);
  return out + direction('Ingress', m.ingress) + direction('Egress', m.egress);
}

function syncText(m: DescribeModel, now: Date): string {
  const state =
    m.observedGeneration === null
      ? 'not evaluated yet'
      : `observed ${m.observedGeneration} (${m.synced ? 'in sync' : 'behind: the counts below are for an older spec'})`;
  let out = field('Sync', `generation ${m.generation}, ${state}`);
  if (m.conditions.length === 0) return out + field('Conditions', '<none>');
  const rows = m.conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]);
  out += 'Conditions:\n' + renderTable(['Type', 'Status', 'Reason', 'Age', 'Message'], rows, { indent: '  ' });
  return out;
}

function end(e: FlowEnd): string {
  const pod = e.pod ? `${e.namespace ?? ''}/${e.pod}` : undefined;
  if (pod && e.ip) return `${pod} (${e.ip})`;
  return pod ?? e.ip ?? '?';
}

function offenderRows(list: readonly Offender[], now: Date): string[][] {
  return list.map((o) => [end(o.source), end(o.destination), `${o.protocol}/${o.port}`, o.direction, String(o.count), `${age(o.lastSeen, now)} ago`]);
}

function evaluationText(m: DescribeModel, now: Date): string {
  const e = m.evaluation;
  if (!e) return field('Evaluation', 'none yet (the evaluator has not written status.evaluation)');
  let out = field('Evaluation', `last ${e.window ?? '?'}, computed ${age(e.lastEvaluated, now)} ago`);
  out += field('  Flows', `${e.flowsEvaluated ?? 0} evaluated, ${e.flowsAllowed ?? 0} allowed, ${e.flowsWouldDeny ?? 0} would be denied`);
  if (m.topOffenders.length === 0) return out + field('Top offenders', '<none>');
  return out + 'Top offenders:\n' + renderTable(['Source', 'Destination', 'Port', 'Direction', 'Count', 'Last seen'], offenderRows(m.topOffenders, now), { indent: '  ' });
}

function eventsText(m: DescribeModel, now: Date): string {
  if (m.eventsNote) return field('Events', m.eventsNote);
  if (m.events.length === 0) return field('Events', '<none>');
  const rows = m.events.slice(0, 10).map((e) => [e.type, e.reason, age(e.last, now), String(e.count), e.message]);
  return 'Events:\n' + renderTable(['Type', 'Reason', 'Age', 'Count', 'Message'], rows, { indent: '  ' });
}

function promoteCommand(m: DescribeModel): string {
  return m.namespace ? `kubectl kguardian audit promote ${m.name} -n ${m.namespace}` : `kubectl kguardian audit promote-cluster ${m.name}`;
}

function promotionText(m: DescribeModel): string {
  const warnings = m.promotion.warnings.map((w) => `  warning: ${w}\n`).join('');
  if (m.promotion.safe) return field('Safe to promote', 'yes') + warnings + `  Next: ${promoteCommand(m)}\n`;
  return field('Safe to promote', 'no') + m.promotion.problems.map((p) => `  - ${p}\n`).join('') + warnings + `  Promote anyway: ${promoteCommand(m)} ${m.promotion.overrides.join(' ')}\n`;
}

export function renderDescribe(m: DescribeModel, now: Date): string {
  let out = field('Name', m.name);
  if (m.namespace) out += field('Namespace', m.namespace);
  out += field('Kind', m.kind) + field('Labels', labels(m.labels));
  return out + specText(m) + syncText(m, now) + evaluationText(m, now) + eventsText(m, now) + promotionText(m);
}
