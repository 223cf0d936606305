/**
 * Runs `kubectl kguardian ui` until its signal aborts (Ctrl-C from the command line): the way to
 * the broker, the user's kubeconfig for the policy list, the local proxy, the printed URL.
 */
import type { UiOptions } from './options.js';
import { EXIT } from '../errors.js';
import type { CliIO } from '../io.js';
import { openBrowser } from './open-browser.js';
import { listUiPolicies } from './policies.js';
import { startUiProxy } from './proxy.js';

/** Resolves when SIGINT or SIGTERM arrives, or when `signal` aborts. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop);
  });
}

export async function runUi(opts: UiOptions, io: CliIO, signal?: AbortSignal, onReady?: (url: string) => void): Promise<number> {
  const [{ openBroker }, { brokerClient }, { lazyKube }, { openAuditApi }] = await Promise.all([
    import('../broker/connect.js'),
    import('../broker/client.js'),
    import('../broker/kube-loader.js'),
    import('../kube/audit-api.js'),
  ]);
  const kube = lazyKube(opts.kube, io);
  const conn = await openBroker(opts.broker, io, kube.load);
  try {
    // A view that cannot reach the broker would only show errors: say so now, with the next step.
    await brokerClient(conn).getJson('/healthz');
    await kube.load(true);
    const kc = kube.connection();
    if (!kc) throw new Error('the kubeconfig was loaded but no connection is known');
    const api = await openAuditApi(kc);
    const namespace = opts.allNamespaces ? null : kc.namespace;
    const proxy = await startUiProxy({
      brokerUrl: conn.baseUrl,
      token: conn.token,
      session: { namespace, context: kc.context },
      policies: () => listUiPolicies(api, namespace, new Date()),
      port: opts.port,
    });
    io.stdout.write(`Would-Deny view of ${namespace === null ? 'every namespace' : `namespace ${namespace}`}: ${proxy.url}\nServing on 127.0.0.1 only; press Ctrl-C to stop.\n`);
    onReady?.(proxy.url);
    if (opts.open) openBrowser(proxy.url, io);
    await untilStopped(signal);
    await proxy.close();
    return EXIT.ok;
  } finally {
    await conn.close();
  }
}
