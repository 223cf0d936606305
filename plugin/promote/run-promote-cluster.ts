/**
 * Runs `audit promote-cluster`: reads the AuditClusterNetworkPolicy and the namespaces,
 * picks the targets, and hands one NetworkPolicy per target to finishPromotion. NetworkPolicies
 * promoted earlier into namespaces the selector no longer matches are pointed out (never
 * deleted: removing enforcement is for a person to decide).
 */
import type { PromoteClusterOptions } from './options.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import { openAuditApi, type AuditApi } from '../kube/audit-api.js';
import { connect } from '../kube/connect.js';
import { ACNP } from '../kube/objects.js';
import { compileAudit } from './compile.js';
import { finishPromotion } from './finish.js';
import { PROMOTED_FROM_ACNP, labelValue, toNamespacedPolicy } from './strip.js';
import { chooseTargets, selectorText } from './targets.js';

async function warnLeftBehind(api: AuditApi, name: string, targets: readonly string[], io: CliIO): Promise<void> {
  const label = `${PROMOTED_FROM_ACNP}=${labelValue(name)}`;
  const earlier = await api.networkPolicies(label).catch(() => []); // only a hint: no rights to list is no reason to fail
  for (const np of earlier.filter((n) => !targets.includes(n.namespace))) {
    io.stderr.write(
      `warning: NetworkPolicy ${np.namespace}/${np.name} was promoted from ${name} earlier, but namespace ${np.namespace} is no longer a target; remove it with: kubectl delete networkpolicy -n ${np.namespace} -l ${label}\n`,
    );
  }
}

export async function runPromoteCluster(opts: PromoteClusterOptions, io: CliIO): Promise<number> {
  const api = await openAuditApi(await connect(opts.kube, io.env));
  const source = await api.get(ACNP, opts.name);
  const compiled = compileAudit(source);
  const choice = chooseTargets(compiled, await api.namespaces(), opts.targets);
  for (const w of choice.warnings) io.stderr.write(`warning: ${w}\n`);
  await warnLeftBehind(api, opts.name, choice.namespaces, io);
  if (choice.namespaces.length === 0) {
    io.stderr.write(`No namespace matches ${selectorText(compiled)}: nothing to promote. Name targets with --target-namespace.\n`);
    return EXIT.ok;
  }
  const policies = choice.namespaces.map((ns) => toNamespacedPolicy(source, ns));
  return finishPromotion([{ res: ACNP, source, policies }], opts.flags, api, io);
}
