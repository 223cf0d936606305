/**
 * The broker options of a command: where the broker is (the global --broker-* flags of
 * kube/flags.ts) and the token flags the broker-reading commands add (--token, --token-file).
 */
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../errors.js';
import { brokerFlags } from '../kube/flags.js';
import type { BrokerOptions } from './types.js';

export function tokenFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('token', { type: 'string', describe: "Bearer token for the broker (default: the kubeconfig user's token)" })
    .option('token-file', { type: 'string', describe: 'File holding the bearer token for the broker' })
    .group(['token', 'token-file'], 'Cluster options:');
}

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--broker-url: ${JSON.stringify(raw)} is not a URL (try http://localhost:9090)`, EXIT.badInput);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--broker-url: must be an http:// or https:// URL, not ${url.protocol}`, EXIT.badInput);
  return url.toString().replace(/\/+$/, '');
}

export function brokerOptions(argv: Record<string, unknown>): BrokerOptions {
  const token = argv.token as string | undefined;
  const tokenFile = argv.tokenFile as string | undefined;
  if (token !== undefined && tokenFile !== undefined) throw new CliError('--token and --token-file cannot be used together: give one', EXIT.badInput);
  if (token !== undefined && token.trim() === '') throw new CliError('--token: the token is empty', EXIT.badInput);
  const where = brokerFlags(argv);
  return { ...where, brokerUrl: where.brokerUrl === undefined ? undefined : checkUrl(where.brokerUrl), token, tokenFile };
}
