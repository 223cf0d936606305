/**
 * The flags every command shares, declared once on the root parser: kubectl's connection
 * flags and where to find the broker. Commands read them back with kubeFlags()/brokerFlags().
 */
import type { Argv } from 'yargs';
import type { KubeFlags } from './connect.js';

export const BROKER_DEFAULTS = { namespace: 'kguardian', service: 'kguardian-broker' } as const;

export interface BrokerFlags {
  brokerNamespace: string;
  brokerService: string;
  /** Bypasses the port-forward when set. */
  brokerUrl: string | undefined;
}

export function globalOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('kubeconfig', { type: 'string', global: true, describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' })
    .option('context', { type: 'string', global: true, describe: 'The kubeconfig context to use' })
    .option('n', { alias: 'namespace', type: 'string', global: true, describe: "Namespace (default: the context's namespace)" })
    .option('broker-namespace', { type: 'string', global: true, default: BROKER_DEFAULTS.namespace, describe: 'Namespace of the broker Service' })
    .option('broker-service', { type: 'string', global: true, default: BROKER_DEFAULTS.service, describe: 'Name of the broker Service' })
    .option('broker-url', { type: 'string', global: true, describe: 'Broker URL; skips the port-forward (e.g. http://localhost:9090; default: $KGUARDIAN_BROKER_URL)' })
    .group(['kubeconfig', 'context', 'n', 'broker-namespace', 'broker-service', 'broker-url'], 'Cluster options:');
}

/** A flag given twice arrives as an array; the last one wins, as in kubectl. */
function str(v: unknown): string | undefined {
  const last: unknown = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === 'string' && last !== '' ? last : undefined;
}

export function kubeFlags(argv: Record<string, unknown>): KubeFlags {
  return { kubeconfig: str(argv.kubeconfig), context: str(argv.context), namespace: str(argv.n) };
}

export function brokerFlags(argv: Record<string, unknown>): BrokerFlags {
  return {
    brokerNamespace: str(argv.brokerNamespace) ?? BROKER_DEFAULTS.namespace,
    brokerService: str(argv.brokerService) ?? BROKER_DEFAULTS.service,
    brokerUrl: str(argv.brokerUrl),
  };
}
