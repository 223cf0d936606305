/**
 * The broker options of a command: where the broker is (the global --broker-* flags of
 * kube/flags.ts, and $KGUARDIAN_BROKER_URL) and the token flags the broker-reading commands add
 * (--token, --token-file).
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

/** The environment variable that gives the broker's URL when --broker-url is not on the line. */
export const BROKER_URL_ENV = 'KGUARDIAN_BROKER_URL';

function checkUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${name}: ${JSON.stringify(raw)} is not a URL (try http://localhost:9090)`, EXIT.badInput);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${name}: must be an http:// or https:// URL, not ${url.protocol}`, EXIT.badInput);
  return url.toString().replace(/\/+$/, '');
}

/** The broker URL to use without a port-forward: --broker-url, else $KGUARDIAN_BROKER_URL (an empty one is unset). */
export function directBrokerUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): { url: string; origin: 'flag' | 'env' } | undefined {
  if (flag !== undefined) return { url: flag, origin: 'flag' };
  const fromEnv = env[BROKER_URL_ENV]?.trim();
  return fromEnv ? { url: checkUrl(fromEnv, BROKER_URL_ENV), origin: 'env' } : undefined;
}

export function brokerOptions(argv: Record<string, unknown>): BrokerOptions {
  const token = argv.token as string | undefined;
  const tokenFile = argv.tokenFile as string | undefined;
  if (token !== undefined && tokenFile !== undefined) throw new CliError('--token and --token-file cannot be used together: give one', EXIT.badInput);
  if (token !== undefined && token.trim() === '') throw new CliError('--token: the token is empty', EXIT.badInput);
  const where = brokerFlags(argv);
  return { ...where, brokerUrl: where.brokerUrl === undefined ? undefined : checkUrl(where.brokerUrl, '--broker-url'), token, tokenFile };
}
