/**
 * Adapts kube/connect.ts to what the broker connection needs: the kubeconfig when one exists,
 * and an error only when it is required (a port-forward). With --broker-url and no kubeconfig
 * at all, the plugin still works (a demo broker needs no token).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import { connect, type KubeConnection, type KubeFlags } from '../kube/connect.js';
import type { KubeLoader } from './connect.js';

export interface LazyKube {
  load: KubeLoader;
  /** The connection if it was loaded (for the context's namespace). */
  connection(): KubeConnection | undefined;
}

export function lazyKube(flags: KubeFlags, io: CliIO): LazyKube {
  let conn: KubeConnection | undefined;
  let tried = false;
  return {
    async load(required: boolean): Promise<KubeConfig | undefined> {
      if (conn) return conn.kc;
      if (tried && !required) return undefined;
      tried = true;
      try {
        conn = await connect(flags, io.env);
      } catch (e) {
        if (required || !(e instanceof CliError) || flags.kubeconfig !== undefined || flags.context !== undefined) throw e;
        return undefined;
      }
      return conn.kc;
    },
    connection: () => conn,
  };
}
