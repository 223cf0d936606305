/**
 * The bearer token the plugin sends to the broker. The broker authenticates with TokenReview, so
 * only a token will do: client certificates (an admin kubeconfig's usual credential) cannot be
 * forwarded. Order: --token, then --token-file, then whatever the kubeconfig user sends as a
 * bearer token (a static token or an exec/auth-provider plugin's), then a clear error.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import type { BrokerOptions } from './types.js';

export const NO_TOKEN_HELP =
  'the broker needs a bearer token and none was found: the kubeconfig user has no token (client certificates cannot be sent to the broker). ' +
  'Pass --token TOKEN or --token-file FILE, for example --token "$(kubectl create token my-sa -n my-ns)"';

async function fromFile(file: string, io: CliIO): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new CliError(`--token-file: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const token = text.trim();
  if (token === '') throw new CliError(`--token-file: ${file} is empty`);
  return token;
}

/** The kubeconfig user's bearer token, as client-node would send it to the API server. */
export async function kubeconfigToken(kc: KubeConfig): Promise<string | undefined> {
  const opts: { headers?: Record<string, unknown> } = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const header = opts.headers?.Authorization ?? opts.headers?.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return m?.[1];
}

/** The token to send, or undefined when there is none (the caller decides whether that is fatal). */
export async function findToken(opts: BrokerOptions, io: CliIO, kc: KubeConfig | undefined): Promise<string | undefined> {
  if (opts.token !== undefined) return opts.token.trim();
  if (opts.tokenFile !== undefined) return fromFile(opts.tokenFile, io);
  return kc === undefined ? undefined : kubeconfigToken(kc);
}
