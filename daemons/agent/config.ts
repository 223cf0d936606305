/**
 * The agent's configuration, from environment variables (set by the DaemonSet), validated at
 * start-up with one sentence per problem. Nothing is excluded by default: kube-system traffic
 * matters too; exclusions are opt-in (KG_EXCLUDE_NAMESPACES).
 */
export interface AgentConfig {
  node: string;
  nodeIps: string[];
  brokerUrl: string;
  tokenFile: string;
  loader: string;
  loaderArgs: string[];
  bucketMs: number;
  serviceCidrs: string[];
  excludeNamespaces: string[];
  metricsPort: number;
  /** Observations the broker buffer holds at most while the broker is away (KG_MAX_BUFFERED). */
  maxBuffered: number;
  /** Name remote ends after any pod or Node of the cluster (KG_REMOTE_IDENTITY, default true):
   * two cluster-wide watches; false keeps to this node's pods (remote-identity.ts). */
  remoteIdentity: boolean;
}

/** kg-loader's arguments: KG_LOADER_ARGS, then one --service-cidr per Service CIDR, so the
 * loader looks connections to Services up in the host's conntrack table. */
export function loaderArgs(config: Pick<AgentConfig, 'loaderArgs' | 'serviceCidrs'>): string[] {
  return [...config.loaderArgs, ...config.serviceCidrs.flatMap((cidr) => ['--service-cidr', cidr])];
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** KG_MAX_BUFFERED and KG_REMOTE_IDENTITY, each problem added to `errors`. */
function shippingAndIdentity(env: NodeJS.ProcessEnv, errors: string[]): Pick<AgentConfig, 'maxBuffered' | 'remoteIdentity'> {
  const maxBuffered = Number(env.KG_MAX_BUFFERED ?? 200_000);
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1) errors.push('KG_MAX_BUFFERED must be a whole number of observations, at least 1 (default 200000).');
  const remote = (env.KG_REMOTE_IDENTITY ?? 'true').trim().toLowerCase();
  if (remote !== 'true' && remote !== 'false') errors.push('KG_REMOTE_IDENTITY must be true or false.');
  return { maxBuffered, remoteIdentity: remote !== 'false' };
}

export function loadConfig(env: NodeJS.ProcessEnv): { config?: AgentConfig; errors: string[] } {
  const errors: string[] = [];
  const node = env.KG_NODE_NAME ?? '';
  if (!node) errors.push('KG_NODE_NAME must be set to this node\'s name (downward API spec.nodeName).');
  const brokerUrl = (env.KG_BROKER_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(brokerUrl)) errors.push('KG_BROKER_URL must be an http(s) URL of the broker, e.g. http://kguardian-broker:8080.');
  const bucketMs = Number(env.KG_BUCKET_MS ?? 10_000);
  if (!Number.isInteger(bucketMs) || bucketMs < 100) errors.push('KG_BUCKET_MS must be an integer of at least 100.');
  const metricsPort = Number(env.KG_METRICS_PORT ?? 9102);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) errors.push('KG_METRICS_PORT must be a port number.');
  const { maxBuffered, remoteIdentity } = shippingAndIdentity(env, errors);
  if (errors.length > 0) return { errors };
  return {
    errors,
    config: {
      node,
      nodeIps: list(env.KG_NODE_IPS),
      brokerUrl,
      tokenFile: env.KG_TOKEN_FILE ?? '/var/run/secrets/kubernetes.io/serviceaccount/token',
      loader: env.KG_LOADER ?? '/usr/local/bin/kg-loader',
      loaderArgs: list(env.KG_LOADER_ARGS),
      bucketMs,
      serviceCidrs: list(env.KG_SERVICE_CIDRS),
      excludeNamespaces: list(env.KG_EXCLUDE_NAMESPACES),
      metricsPort,
      maxBuffered,
      remoteIdentity,
    },
  };
}
