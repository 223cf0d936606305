/**
 * Runs `describe`: reads the policy and its Events, builds the model, prints it as text,
 * JSON or YAML.
 */
import yaml from 'js-yaml';
import type { DescribeOptions } from './options.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import { openAuditApi } from '../kube/audit-api.js';
import { connect } from '../kube/connect.js';
import { buildModel } from './model.js';
import { outputWidth } from '../output/width.js';
import { renderDescribe } from './render.js';

export async function runDescribe(opts: DescribeOptions, io: CliIO, now = new Date()): Promise<number> {
  const api = await openAuditApi(await connect(opts.kube, io.env));
  const policy = await api.get(opts.target.res, opts.target.name, api.conn.namespace);
  const model = buildModel(policy, await api.events(policy), now);
  if (opts.output === 'json') io.stdout.write(JSON.stringify(model, null, 2) + '\n');
  else if (opts.output === 'yaml') io.stdout.write(yaml.dump(model, { noRefs: true, lineWidth: -1 }));
  else io.stdout.write(renderDescribe(model, { now, width: outputWidth(io) }));
  return EXIT.ok;
}
