/**
 * `npm run conformance`: the whole upstream NetworkPolicy e2e suite on a fresh real cluster, with
 * kube-router enforcing and kguardian watching; writes report.md and report.json (docs/conformance.md).
 * Needs root (the cluster). Exit code: 0 when every probe connection kguardian judged agrees with
 * its outcome or differs only within the enforcer's delay after a change; the suite's own failures
 * are the enforcer's, reported but not failing the run unless --strict.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../playground/paths.js';
import { e2eTestBinary, runNetpolConformance } from './netpol-run.js';
import { agreementLine, renderReport } from './report.js';

const USAGE = `Usage: npm run conformance -- [--focus RE] [--skip RE] [--out DIR] [--processes N] [--strict] [--keep-cluster]

Runs e2e.test (upstream's Netpol specs, test/conformance/suite, built and cached by scripts/lib/e2e-test.sh) with
--ginkgo.focus=Netpol on a new scripts/cluster.sh cluster (kube-router enforcing when cluster.sh
offers --enforcer) with kguardian installed, then compares kguardian's judgement of every probe
connection with its outcome. Needs root. Writes DIR/report.md, DIR/report.json, DIR/e2e.log.

Options:
  --focus RE       Ginkgo focus (default: '\\[sig-network\\] Netpol ')
  --skip RE        Ginkgo skip (default: 'SCTPConnectivity': kguardian's agent does not see SCTP)
  --out DIR        where the reports go (default: .cache/conformance/<time>)
  --processes N    e2e.test processes at once, each on its share of the specs (default 3)
  --strict         also fail when the suite itself fails
  --keep-cluster   leave the cluster up (bring it down with scripts/cluster.sh down --dir DIR)

Examples:
  sudo npm run conformance
  sudo npm run conformance -- --focus 'Netpol .*default-deny-ingress'`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      focus: { type: 'string', default: '\\[sig-network\\] Netpol ' },
      skip: { type: 'string', default: 'SCTPConnectivity' },
      out: { type: 'string' },
      processes: { type: 'string', default: '3' },
      strict: { type: 'boolean', default: false },
      'keep-cluster': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const processes = Number(values.processes);
  if (!Number.isInteger(processes) || processes < 1 || processes > 8) {
    console.error(`conformance: --processes must be a whole number from 1 to 8, not '${values.processes}'`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('conformance: needs root (it runs a real cluster: scripts/cluster.sh)');
    return 2;
  }
  const outDir = resolve(values.out ?? join(REPO_ROOT, '.cache', 'conformance', new Date().toISOString().replaceAll(':', '-')));
  const dir = await mkdtemp(join(tmpdir(), 'kgc-conformance-'));
  const log = (l: string): void => {
    console.error(`==> ${l}`);
  };
  const result = await runNetpolConformance(dir, {
    outDir, focus: values.focus, skip: values.skip, keepCluster: values['keep-cluster'], log, processes,
  });
  const e2eTest = await e2eTestBinary();
  await writeFile(join(outDir, 'report.md'), renderReport(result, { focus: values.focus, skip: values.skip, e2eTest }));
  await writeFile(join(outDir, 'report.json'), JSON.stringify(result, null, 2));
  const s = result.suite;
  console.log(`suite: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped in ${result.seconds.suite}s (enforcer: ${result.enforcer})`);
  console.log(`kguardian: ${agreementLine(result.agreement)}`);
  console.log(`report: ${join(outDir, 'report.md')}`);
  if (values['keep-cluster']) console.log(`cluster left up: scripts/cluster.sh down --dir ${dir}`);
  const kguardianOk = result.agreement.disagreeOther === 0 && result.agreement.unjudged === 0 && result.agreement.connections > 0;
  return kguardianOk && (!values.strict || (s.failed === 0 && result.exitCode === 0)) ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`conformance: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
