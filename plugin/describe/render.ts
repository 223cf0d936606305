/**
 * `describe` as text, in the layout of `kubectl describe`: "Field:  value" lines, indented
 * tables for conditions, offenders and events, and the promote verdict last, with the
 * command to run next. Every line fits a known output width (output/width.ts): long values wrap
 * under their column (a word longer than the line breaks after a '/', ',' or '='), table
 * messages wrap under MESSAGE or, on a narrow terminal, under their row; the top offenders
 * become two lines each; the commands to run are split with shell line continuations, so
 * they can still be copied.
 */
import { statesText } from '../../contracts/offender-states.js';
import type { Offender, FlowEnd } from '../kube/objects.js';
import { commandLines, renderFittedTable, wrapLine } from '../output/table.js';
import { age } from './age.js';
import type { DescribeModel, DirectionRules } from './model.js';
import { endLabel, podOf } from '../../contracts/flow-end-label.js';

const PAD = 18;

/** What every part of the page is rendered against. */
export interface Page {
  now: Date;
  width: number;
}

function field(name: string, value: string, width: number): string {
  return wrapLine(`${name}:`.padEnd(PAD), value, width, PAD);
}

function table(title: string, headers: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  return `${title}:\n` + renderFittedTable(headers, rows, { indent: '  ', width });
}

function labels(l: Record<string, string>): string {
  const entries = Object.entries(l).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function direction(name: 'Ingress' | 'Egress', rules: DirectionRules | undefined, w: number): string {
  if (rules === undefined) return '';
  if (rules === null) return field(name, `not restricted (${name} is not in policyTypes)`, w);
  if (rules.length === 0) return field(name, `every ${name.toLowerCase()} flow of the selected pods is denied (no rules)`, w);
  const word = name === 'Ingress' ? 'from' : 'to';
  return `${name}:\n${rules.map((r) => wrapLine(`  ${`Rule ${r.rule}:`.padEnd(PAD - 2)}`, `${word} ${r.peers}; on ${r.ports}`, w, PAD)).join('')}`;
}

function specText(m: DescribeModel, w: number): string {
  if (m.specProblem) return field('Spec', m.specProblem, w);
  let out = '';
  if (m.namespaceSelector !== undefined) out += field('Namespaces', m.namespaceSelector === '<all>' ? 'all namespaces' : `namespaces ${m.namespaceSelector}`, w);
  const pods = m.podSelector === '<all>' ? 'all pods' : `pods ${m.podSelector ?? ''}`;
  out += field('Selects', m.namespace ? `${pods} in namespace ${m.namespace}` : `${pods} in the namespaces above`, w);
  return out + direction('Ingress', m.ingress, w) + direction('Egress', m.egress, w);
}

function syncText(m: DescribeModel, { now, width: w }: Page): string {
  const state =
    m.observedGeneration === null
      ? 'not evaluated yet'
      : `observed ${m.observedGeneration} (${m.synced ? 'in sync' : 'behind: the counts below are for an older spec'})`;
  const out = field('Sync', `generation ${m.generation}, ${state}`, w);
  if (m.conditions.length === 0) return out + field('Conditions', '<none>', w);
  const rows = m.conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]);
  return out + table('Conditions', ['Type', 'Status', 'Reason', 'Age', 'Message'], rows, w);
}

function end(e: FlowEnd): string {
  return podOf(e) && e.ip ? `${endLabel(e)} (${e.ip})` : endLabel(e);
}

const OFFENDER_HEADERS = ['Source', 'Destination', 'Port', 'Direction', 'Count', 'Last seen', 'State'] as const;

function offenderRows(list: readonly Offender[], now: Date): string[][] {
  return list.map((o) => [end(o.source), end(o.destination), `${o.port}/${o.protocol}`, o.direction, String(o.count), `${age(o.lastSeen, now)} ago`, statesText(o.states)]);
}

/**
 * The offenders with the connection state (all refused, say, or "9 refused, 3 attempt") in the
 * last column when the rows fit the width; on a narrower terminal each row's state goes on the
 * line under it, so the columns before it keep their width; narrower still, each offender is a
 * "SOURCE -> DESTINATION" line and a line of the rest, in words.
 */
function offendersTable(list: readonly Offender[], now: Date, w: number): string {
  const rows = offenderRows(list, now);
  const indent = '  ';
  const widths = OFFENDER_HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const state = widths.length - 1;
  const lineLength = indent.length + widths.reduce((a, x) => a + x + 3, 0) - 3;
  if (lineLength <= w) return table('Top offenders', OFFENDER_HEADERS, rows, w);
  if (lineLength - 3 - (widths[state] ?? 0) > w) return offenderLines(list, now, w);
  const [head = '', ...lines] = renderFittedTable(OFFENDER_HEADERS.slice(0, state), rows.map((r) => r.slice(0, state)), { indent, width: w }).trimEnd().split('\n');
  const under = `${indent}    state: `;
  return `Top offenders:\n${head}\n` + lines.map((l, i) => `${l}\n${wrapLine(under, rows[i]?.[state] ?? '', w, under.length)}`).join('');
}

/** Each offender in two wrapped lines: who talked to whom, then port, direction, count, when and how. */
function offenderLines(list: readonly Offender[], now: Date, w: number): string {
  const lines = list.map((o) => {
    const rest = `${o.port}/${o.protocol} ${o.direction}, count ${o.count}, last seen ${age(o.lastSeen, now)} ago, state: ${statesText(o.states)}`;
    return wrapLine('  ', `${end(o.source)} -> ${end(o.destination)}`, w, 6) + wrapLine('      ', rest, w, 6);
  });
  return `Top offenders:\n${lines.join('')}`;
}

function evaluationText(m: DescribeModel, { now, width: w }: Page): string {
  const e = m.evaluation;
  if (!e) return field('Evaluation', 'none yet (the evaluator has not written status.evaluation)', w);
  let out = field('Evaluation', `last ${e.window ?? '?'}, computed ${age(e.lastEvaluated, now)} ago`, w);
  out += field('  Flows', `${e.flowsEvaluated ?? 0} evaluated, ${e.flowsAllowed ?? 0} allowed, ${e.flowsWouldDeny ?? 0} would be denied (in conversations)`, w);
  if (m.topOffenders.length === 0) return out + field('Top offenders', '<none>', w);
  return out + offendersTable(m.topOffenders, now, w);
}

function eventsText(m: DescribeModel, { now, width: w }: Page): string {
  if (m.eventsNote) return field('Events', m.eventsNote, w);
  if (m.events.length === 0) return field('Events', '<none>', w);
  const rows = m.events.slice(0, 10).map((e) => [e.type, e.reason, age(e.last, now), String(e.count), e.message]);
  return table('Events', ['Type', 'Reason', 'Age', 'Count', 'Message'], rows, w);
}

function promoteCommand(m: DescribeModel): string {
  return m.namespace ? `kubectl kguardian audit promote ${m.name} -n ${m.namespace}` : `kubectl kguardian audit promote-cluster ${m.name}`;
}

function promotionText(m: DescribeModel, w: number): string {
  const warnings = m.promotion.warnings.map((text) => wrapLine('  warning: ', text, w, 4)).join('');
  // The commands are meant to be copied: on one line when it fits, else split with shell line continuations.
  if (m.promotion.safe) return field('Safe to promote', 'yes', w) + warnings + commandLines('  Next: ', promoteCommand(m), w, '    ');
  const problems = m.promotion.problems.map((p) => wrapLine('  - ', p, w, 4)).join('');
  return field('Safe to promote', 'no', w) + problems + warnings + commandLines('  Promote anyway: ', `${promoteCommand(m)} ${m.promotion.overrides.join(' ')}`, w, '    ');
}

export function renderDescribe(m: DescribeModel, page: Page): string {
  const w = page.width;
  let out = field('Name', m.name, w);
  if (m.namespace) out += field('Namespace', m.namespace, w);
  out += field('Kind', m.kind, w) + field('Labels', labels(m.labels), w);
  return out + specText(m, w) + syncText(m, page) + evaluationText(m, page) + eventsText(m, page) + promotionText(m, w);
}
