/**
 * The conformance report as Markdown: the suite's own result first (the enforcer's conformance),
 * then kguardian's agreement with the probe connections, per spec, and every disagreement that is
 * not the enforcer's programming delay, with kguardian's reasons.
 */
import type { AgreementSummary, JudgedConnections } from './probe-connections.js';
import type { RunResult } from './netpol-run.js';

export function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(part === whole ? 0 : 2)}%`;
}

export function agreementLine(a: AgreementSummary): string {
  return `${a.agree}/${a.connections} probe connections agree (${percent(a.agree, a.connections)}); ` +
    `disagreeing: ${a.disagreeDelay} resolved by a later connection under the same policies, ${a.disagreeOther} lasting; ` +
    `${a.straddling} rows straddle a policy change, ${a.unjudged} rows unjudged`;
}

function connection(j: JudgedConnections): string {
  const r = j.row;
  return `${r.firstSeen} ${r.src.namespace}/${r.src.pod} -> ${j.server.namespace}/${j.server.pod} ${r.dst.port}/${r.protocol} ` +
    `(${r.dst.pod ? 'pod' : `Service ${r.dst.ip}`}), ${r.state} x${r.count}: kguardian ${j.judgement}, ` +
    `${j.connected} connected, ${j.blocked} blocked; ${j.reasons.join('; ') || 'no NetworkPolicy selects either end'}`;
}

export function renderReport(r: RunResult, o: { focus: string; skip: string; e2eTest: string }): string {
  const s = r.suite;
  const out: string[] = [
    '# NetworkPolicy conformance: the upstream e2e suite with kguardian watching',
    '',
    `- e2e.test: \`${o.e2eTest}\`, \`--ginkgo.focus=${o.focus}\` \`--ginkgo.skip=${o.skip}\``,
    `- enforcer: ${r.enforcer}`,
    `- time: setup ${r.seconds.setup}s, suite ${r.seconds.suite}s, judging ${r.seconds.judge}s`,
    '',
    '## The suite\'s own result (the enforcer\'s conformance on this cluster)',
    '',
    `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (e2e.test exit ${r.exitCode})`,
    '',
    '## kguardian\'s judgement against each probe connection',
    '',
    agreementLine(r.agreement),
    '',
    `Loopback (a pod probing its own Service; NetworkPolicy does not apply and the suite ignores it): ` +
      `${r.agreement.loopback.agree}/${r.agreement.loopback.connections} agree.`,
    '',
    '| spec | result | seconds | connections | agree | delay | other |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...r.perSpec.map((p) => `| ${p.name.replaceAll('|', '\\|')} | ${p.state} | ${p.seconds.toFixed(0)} | ${p.agreement.connections} | ${p.agreement.agree} | ${p.agreement.disagreeDelay} | ${p.agreement.disagreeOther} |`),
    '',
  ];
  const failed = s.specs.filter((x) => x.state !== 'passed' && x.state !== 'skipped');
  if (failed.length > 0) {
    out.push('## Failed specs', '', ...failed.map((f) => `- ${f.name}: ${f.failure ?? '(no message)'}`), '');
  }
  const other = r.comparison.judged.filter((j) => j.why === 'other' && !j.loopback);
  if (other.length > 0) out.push('## Disagreements that lasted', '', ...other.map((j) => `- ${connection(j)}`), '');
  const delay = r.comparison.judged.filter((j) => j.why === 'delay' && !j.loopback);
  if (delay.length > 0) out.push('## Disagreements a later connection of the same pair, under the same policies, resolved', '', ...delay.slice(0, 50).map((j) => `- ${connection(j)}`), '');
  if (r.comparison.unjudged.length > 0) {
    out.push('## Rows not judged', '', ...r.comparison.unjudged.slice(0, 50).map((u) =>
      `- ${u.row.firstSeen} ${u.row.src.namespace}/${u.row.src.pod} -> ${u.row.dst.ip}:${u.row.dst.port}/${u.row.protocol} ${u.row.state} x${u.row.count}: ${u.reason}`), '');
  }
  return out.join('\n');
}
