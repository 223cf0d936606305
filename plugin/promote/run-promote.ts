/**
 * Runs `audit promote`: finds the AuditNetworkPolicies asked for, turns each into its
 * NetworkPolicy and hands them to finishPromotion.
 */
import type { PromoteOptions } from './options.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import { openAuditApi, type AuditApi } from '../kube/audit-api.js';
import { connect } from '../kube/connect.js';
import { ANP, type AuditPolicy } from '../kube/objects.js';
import { finishPromotion } from './finish.js';
import { toNetworkPolicy } from './strip.js';

async function load(api: AuditApi, opts: PromoteOptions): Promise<AuditPolicy[]> {
  const ns = api.conn.namespace;
  if (opts.name !== undefined) return [await api.get(ANP, opts.name, ns)];
  return api.list(ANP, opts.allNamespaces ? undefined : ns, opts.selector);
}

export async function runPromote(opts: PromoteOptions, io: CliIO): Promise<number> {
  const api = await openAuditApi(await connect(opts.kube, io.env));
  const sources = await load(api, opts);
  if (sources.length === 0) {
    const where = opts.allNamespaces ? 'in any namespace' : `in namespace ${api.conn.namespace}`;
    io.stderr.write(`No AuditNetworkPolicies found ${where}${opts.selector ? ` with labels ${opts.selector}` : ''}.\n`);
    return EXIT.ok;
  }
  const promotions = sources.map((source) => ({ res: ANP, source, policies: [toNetworkPolicy(source)] }));
  return finishPromotion(promotions, opts.flags, api, io);
}
