/**
 * The flags every command shares, declared once on the root parser: kubectl's connection
 * flags and where to find the broker. Commands read them back with kubeFlags()/brokerFlags().
 */
import type { Argv } from 'yargs';
import { DNS_LABEL } from '../../contracts/kube-names.js';
import { CliError, EXIT } from '../errors.js';
import type { KubeFlags } from './connect.js';

export const BROKER_DEFAULTS = { namespace: 'kguardian', service: 'kguardian-broker' } as const;

export interface BrokerFlags {
  brokerNamespace: string;
  brokerService: string;
  /** Bypasses the port-forward when set. */
  brokerUrl: string | undefined;
}

/**
 * Why `name` cannot be a namespace, or undefined when it can: a namespace name is a DNS-1123 label,
 * what the API server accepts, checked before anything is contacted.
 */
function namespaceProblem(name: string): string | undefined {
  if (name.length > 63) return `is ${name.length} characters long; a namespace name has at most 63`;
  if (DNS_LABEL.test(name)) return undefined;
  const upper = /[A-Z]/.test(name) ? ' (no upper case)' : '';
  return `is not a valid namespace name: use lower-case letters, digits and '-'${upper}, starting and ending with a letter or digit, such as prod or team-a (a DNS-1123 label)`;
}

/**
 * A yargs coerce for a flag that names namespaces: each value is checked (a flag given twice is an
 * array) and returned unchanged; '' stays, as "not given".
 */
export function checkNamespaces(flag: string): (v: unknown) => unknown {
  return function checkNamespace(v: unknown): unknown {
    for (const name of Array.isArray(v) ? v : [v]) {
      const problem = typeof name === 'string' && name !== '' ? namespaceProblem(name) : undefined;
      if (problem !== undefined) throw new CliError(`${flag}: ${JSON.stringify(name)} ${problem}`, EXIT.badInput);
    }
    return v;
  };
}

export function globalOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('kubeconfig', { type: 'string', global: true, describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' })
    .option('context', { type: 'string', global: true, describe: 'The kubeconfig context to use' })
    .option('n', { alias: 'namespace', type: 'string', global: true, coerce: checkNamespaces('-n/--namespace'), describe: "Namespace (default: the context's namespace)" })
    .option('broker-namespace', { type: 'string', global: true, default: BROKER_DEFAULTS.namespace, coerce: checkNamespaces('--broker-namespace'), describe: 'Namespace of the broker Service' })
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
