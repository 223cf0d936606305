/**
 * The second half of `audit promote` and `audit promote-cluster`, shared: with --min-quiet read
 * each source's would-deny count over that period from the broker, run the safety gate on every source, then print or write the NetworkPolicies, apply them, and delete the
 * audit objects. All or nothing: when any source is refused, nothing is printed, written or
 * applied (a pipe into kubectl apply must never get half a batch), and the exit code is 4.
 * With --apply, an existing NetworkPolicy of the same name from another source is refused the
 * same way (ownership.ts); --overwrite replaces it. The two overrides are separate flags: passing
 * --force to get past a stale evaluation must not also take over someone else's NetworkPolicy. Audit objects are deleted only after every NetworkPolicy was applied.
 */
import type { BrokerOptions } from '../broker/types.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import type { AuditApi } from '../kube/audit-api.js';
import { displayName, type AuditPolicy, type AuditResource } from '../kube/objects.js';
import { safetyGate, type GateOptions, type GateOverride } from './gate.js';
import type { PromoteOutput } from './formats.js';
import { nameOf, renderPolicies, writePolicies } from './output.js';
import { checkOwnership } from './ownership.js';
import { readQuietHistory, type QuietHistory } from './quiet-history.js';
import type { NetworkPolicyObject } from './strip.js';

export interface PromoteFlags {
  output: PromoteOutput;
  outputDir: string | undefined;
  /** Promote although the safety gate refuses (stale or missing evaluation, would-deny flows). */
  force: boolean;
  /** Promote although the window evaluated 0 flows. */
  allowUntested: boolean;
  /** With --apply: replace a same-named NetworkPolicy that came from another source or from someone else. */
  overwrite: boolean;
  minQuiet: GateOptions['minQuiet'];
  /** Where the broker is, for --min-quiet's verdict history. */
  broker: BrokerOptions;
  apply: boolean;
  /** Take over fields another field manager owns with other values (server-side apply force). */
  forceConflicts: boolean;
  deleteAudit: boolean;
  dryRun: boolean;
  /** With --apply: check the applied NetworkPolicies against what the kernel sees for this long. */
  verify?: { text: string; ms: number };
  /** Print a v1 List however many policies there are (`audit promote --all`). */
  asList: boolean;
}

export interface Promotion {
  res: AuditResource;
  source: AuditPolicy;
  policies: NetworkPolicyObject[];
}

export function describeCommand(p: AuditPolicy): string {
  const ns = p.metadata.namespace;
  return ns ? `kubectl kguardian describe ${p.metadata.name} -n ${ns}` : `kubectl kguardian describe kgacnp ${p.metadata.name}`;
}

/** "--force", "--force and --allow-untested". */
function flagList(flags: readonly GateOverride[]): string {
  return flags.join(' and ');
}

/** Writes warnings and refusals to stderr; true when every source may be promoted. */
function gateAll(promotions: readonly Promotion[], flags: PromoteFlags, history: QuietHistory | undefined, io: CliIO, now: Date): boolean {
  let refused = 0;
  const needed = new Set<GateOverride>();
  for (const { source } of promotions) {
    const d = safetyGate(source, { force: flags.force, allowUntested: flags.allowUntested, minQuiet: flags.minQuiet, history: history?.get(source), now });
    for (const w of d.warnings) io.stderr.write(`warning: ${displayName(source)}: ${w}\n`);
    if (d.problems.length === 0) continue;
    if (d.allowed) {
      io.stderr.write(`warning: promoting ${displayName(source)} despite (${flagList(d.overrides)}): ${d.problems.join('; ')}\n`);
      continue;
    }
    refused++;
    for (const o of d.overrides) needed.add(o);
    io.stderr.write(`error: refusing to promote ${displayName(source)}:\n${d.problems.map((p) => `  - ${p}\n`).join('')}  See why: ${describeCommand(source)}\n`);
  }
  if (refused > 0) {
    const what = promotions.length === 1 ? 'Nothing was' : `${refused} of ${promotions.length} policies refused; nothing was`;
    const order: readonly GateOverride[] = ['--force', '--allow-untested'];
    io.stderr.write(`${what} printed, written or applied. ${flagList(order.filter((o) => needed.has(o)))} promotes anyway.\n`);
  }
  return refused === 0;
}

async function applyAll(promotions: readonly Promotion[], flags: PromoteFlags, api: AuditApi, io: CliIO): Promise<void> {
  const suffix = flags.dryRun ? ' (server dry run)' : '';
  for (const np of promotions.flatMap((p) => p.policies)) {
    await api.apply(np, flags.dryRun, flags.forceConflicts);
    io.stdout.write(flags.output === 'name' ? `${nameOf(np)}\n` : `${nameOf(np)} serverside-applied in namespace ${np.metadata.namespace}${suffix}\n`);
  }
  if (!flags.deleteAudit) return;
  for (const { res, source } of promotions) {
    await api.remove(res, source, flags.dryRun);
    const where = source.metadata.namespace ? ` in namespace ${source.metadata.namespace}` : '';
    // With -o name stdout carries only the NetworkPolicies' names; the deletion is reported on stderr.
    const out = flags.output === 'name' ? io.stderr : io.stdout;
    out.write(`${res.kind.toLowerCase()}.kguardian.dev/${source.metadata.name} deleted${where}${suffix}\n`);
  }
}

export async function finishPromotion(promotions: readonly Promotion[], flags: PromoteFlags, api: AuditApi, io: CliIO, now = new Date()): Promise<number> {
  const history = flags.minQuiet ? await readQuietHistory(promotions.map((p) => p.source), flags.minQuiet, flags.broker, api.conn.kc, io) : undefined;
  if (!gateAll(promotions, flags, history, io, now)) return EXIT.unsafe;
  const nps = promotions.flatMap((p) => p.policies);
  // Checked before anything is written or printed, so a refusal leaves no half batch behind.
  if (flags.apply && !(await checkOwnership(nps, api, flags.overwrite, io))) return EXIT.unsafe;
  if (flags.outputDir !== undefined && flags.output !== 'name') {
    for (const path of await writePolicies(flags.outputDir, io.cwd, nps, flags.output)) io.stdout.write(`wrote ${path}\n`);
  } else if (!flags.apply) {
    io.stdout.write(renderPolicies(nps, flags.output, flags.asList));
  }
  if (flags.apply) await applyAll(promotions, flags, api, io);
  if (flags.apply && flags.verify) {
    const { verifyAfterApply } = await import('./verify-after.js');
    const clock = io.now;
    await verifyAfterApply(nps, { duration: flags.verify, broker: flags.broker, kc: api.conn.kc, now: clock && (() => clock().getTime()) }, io);
  }
  return EXIT.ok;
}
