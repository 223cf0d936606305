/**
 * Finds the cluster the way kubectl does: --kubeconfig, else $KUBECONFIG (a list of files,
 * merged, first one wins), else ~/.kube/config, else the in-cluster ServiceAccount; then
 * --context picks the context and -n (or the context's namespace, or "default") the namespace.
 *
 * @kubernetes/client-node is imported here lazily so that `--help` never pays for it.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError, EXIT } from '../errors.js';

/** The kubectl-style connection flags every cluster-facing command accepts. */
export interface KubeFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export interface KubeConnection {
  kc: KubeConfig;
  /** -n if given, else the context's namespace, else "default". */
  namespace: string;
  /** True when the namespace came from -n rather than from the context. */
  namespaceFromFlag: boolean;
  /** The context in use (for messages). */
  context: string;
  /** The API server URL (for messages). */
  server: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The kubeconfig files kubectl would read, in merge order; empty means in-cluster. */
export function kubeconfigFiles(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>): string[] {
  if (flags.kubeconfig) return [flags.kubeconfig];
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (fromEnv.length > 0) return fromEnv;
  const home = env.HOME ?? env.USERPROFILE;
  return home ? [join(home, '.kube', 'config')] : [];
}

function loadFiles(kc: KubeConfig, files: readonly string[], KubeConfigClass: new () => KubeConfig): void {
  const [first, ...rest] = files;
  if (first === undefined) return;
  kc.loadFromFile(first);
  for (const file of rest) {
    if (!existsSync(file)) continue; // kubectl skips missing entries of $KUBECONFIG
    const more = new KubeConfigClass();
    more.loadFromFile(file);
    kc.mergeConfig(more, true);
  }
}

function noConfig(files: readonly string[]): CliError {
  const where = files.length > 0 ? files.join(', ') : '~/.kube/config';
  return new CliError(
    `no cluster configured: ${where} not found. Point --kubeconfig at a kubeconfig file, set KUBECONFIG, or run inside a cluster.`,
    EXIT.failure,
  );
}

function readConfig(kc: KubeConfig, flags: KubeFlags, env: Readonly<Record<string, string | undefined>>, ctor: new () => KubeConfig): void {
  const files = kubeconfigFiles(flags, env);
  const first = files[0];
  if (flags.kubeconfig && !existsSync(flags.kubeconfig)) {
    throw new CliError(`--kubeconfig ${flags.kubeconfig}: no such file`, EXIT.badInput);
  }
  if (first !== undefined && existsSync(first)) {
    try {
      loadFiles(kc, files, ctor);
    } catch (e) {
      throw new CliError(`cannot read kubeconfig ${first}: ${e instanceof Error ? e.message : String(e)}`, EXIT.badInput);
    }
    return;
  }
  if (existsSync(SERVICE_ACCOUNT_TOKEN) && env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return;
  }
  throw noConfig(files);
}

function selectContext(kc: KubeConfig, context: string | undefined): void {
  if (!context) {
    if (!kc.getCurrentContext()) throw new CliError('the kubeconfig has no current context: pass --context NAME', EXIT.badInput);
    return;
  }
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    throw new CliError(`--context ${context}: no such context in the kubeconfig (it has: ${names.join(', ') || 'none'})`, EXIT.badInput);
  }
  kc.setCurrentContext(context);
}

/** Loads the kubeconfig these flags name; throws CliError with the next step when it cannot. */
export async function connect(flags: KubeFlags, env: Readonly<Record<string, string | undefined>>): Promise<KubeConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  readConfig(kc, flags, env, KubeConfig);
  selectContext(kc, flags.context);
  const current = kc.getContextObject(kc.getCurrentContext());
  const fromContext = current?.namespace;
  return {
    kc,
    namespace: flags.namespace || fromContext || 'default',
    namespaceFromFlag: Boolean(flags.namespace),
    context: kc.getCurrentContext(),
    server: kc.getCurrentCluster()?.server ?? '(unknown server)',
  };
}
