/**
 * `kubectl kguardian ui`: the Would-Deny web view in a browser. Opens its own way to the broker
 * (a port-forward, or --broker-url), starts a proxy on 127.0.0.1 that adds the user's token, prints
 * the URL and serves until Ctrl-C. The proxy and the client library load only when it runs.
 */
import type { Argv } from 'yargs';
import { brokerOptions, tokenFlags } from '../broker/options.js';
import { CliError, EXIT } from '../errors.js';
import { kubeFlags } from '../kube/flags.js';
import type { RegisterCommand } from './register.js';
import type { Example } from './examples.js';
import type { UiOptions } from '../ui/options.js';

export type { UiOptions };

export const UI_EXAMPLES: readonly Example[] = [
  ['$0 ui -n prod', 'The would-deny view of the audit policies in prod'],
  ['$0 ui -A --open', 'Every namespace and the cluster-scoped policies, opened in a browser'],
  ['$0 ui --port 8099 --broker-url http://localhost:9090 --token-file ./token', 'A fixed local port, straight to a broker'],
];

export function uiBuilder(y: Argv): Argv {
  return tokenFlags(y)
    .option('A', { alias: 'all-namespaces', type: 'boolean', default: false, describe: 'Every namespace, and the cluster-scoped policies' })
    .option('port', { type: 'string', describe: 'Local port for the view on 127.0.0.1, 1 to 65535 (default: any free port)' })
    .option('open', { type: 'boolean', default: false, describe: 'Open the view in a browser: $BROWSER, else xdg-open (open on macOS)' });
}

export function uiOptions(argv: Record<string, unknown>): UiOptions {
  const kube = kubeFlags(argv);
  const allNamespaces = argv.A === true;
  if (allNamespaces && kube.namespace !== undefined) throw new CliError('-A/--all-namespaces and -n/--namespace cannot be used together: give one', EXIT.badInput);
  return { kube, broker: brokerOptions(argv), allNamespaces, port: portOf(argv.port), open: argv.open === true };
}

/** --port read as text (yargs would turn "abc" into NaN, which the message could not quote); 0 when not given: any free port. */
export function portOf(v: unknown): number {
  if (v === undefined) return 0;
  const last: unknown = Array.isArray(v) ? v.at(-1) : v;
  const text = typeof last === 'string' ? last.trim() : JSON.stringify(last);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new CliError(`--port: ${JSON.stringify(text)} is not a port; give a number from 1 to 65535, or leave --port out for any free port`, EXIT.badInput);
  return port;
}

export const registerUi: RegisterCommand = (y, { io, done }) =>
  y.command(
    'ui',
    'Open the Would-Deny web view: policies, their would-deny verdicts, a live tail, a flow map and the promotion gate',
    uiBuilder,
    async (argv) => {
      const opts = uiOptions(argv);
      const { runUi } = await import('../ui/run.js');
      done(await runUi(opts, io));
    },
  );
