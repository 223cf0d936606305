/**
 * Opens the way to the broker: --broker-url as given, else $KGUARDIAN_BROKER_URL, else a
 * port-forward (opened here, closed by the caller) to a ready pod behind --broker-service in
 * --broker-namespace. The kubeconfig is
 * loaded only when it is needed: for the port-forward, or for the user's token.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CliIO } from '../io.js';
import type { BrokerConnection, BrokerOptions } from './types.js';
import { directBrokerUrl } from './options.js';
import { findToken } from './token.js';

/** Loads the kubeconfig (kube/connect.ts), or undefined when there is none and none is needed. */
export type KubeLoader = (required: boolean) => Promise<KubeConfig | undefined>;

export async function openBroker(opts: BrokerOptions, io: CliIO, loadKube: KubeLoader): Promise<BrokerConnection> {
  const direct = directBrokerUrl(opts.brokerUrl, io.env);
  if (direct !== undefined) {
    const needKube = opts.token === undefined && opts.tokenFile === undefined;
    const kc = needKube ? await loadKube(false) : undefined;
    return { baseUrl: direct.url, origin: direct.origin, token: await findToken(opts, io, kc), close: () => Promise.resolve() };
  }
  const kc = await loadKube(true);
  if (kc === undefined) throw new Error('loadKube(true) returned no kubeconfig');
  const token = await findToken(opts, io, kc);
  const { findBrokerPod } = await import('./find-pod.js');
  const { openPortForward } = await import('./port-forward.js');
  const find = (): Promise<import('./find-pod.js').BrokerTarget> => findBrokerPod(kc, opts.brokerNamespace, opts.brokerService);
  const forward = await openPortForward(kc, await find(), find, io);
  return { baseUrl: `http://127.0.0.1:${forward.port}`, origin: 'port-forward', token, close: () => forward.close() };
}
