/**
 * Completes policy names from the cluster where a command takes one: `describe NAME`,
 * `describe kgacnp NAME`, `audit promote NAME`, `audit promote-cluster NAME`; commands and
 * flags come from yargs. A cluster that is slow or unreachable, or a missing permission,
 * just means no names: completion must never print an error or hang the shell.
 */
import type { CliIO } from '../io.js';
import type { KubeFlags } from '../kube/connect.js';
import { ACNP, ANP, type AuditResource } from '../kube/objects.js';
import { takesValue } from './flag-values.js';

// Loading the client library and one list call; past this the shell gets commands and flags
// only. KGUARDIAN_COMPLETION_TIMEOUT_MS overrides it (slow links, and tests on a busy machine).
const TIMEOUT_MS = 5000;
/** The flags that say which cluster to read the names from. */
const KUBE_FLAGS: Readonly<Record<string, keyof KubeFlags>> = {
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
  '-n': 'namespace',
  '--namespace': 'namespace',
};

export interface CompletionLine {
  /** Positional words before the one being typed. */
  words: string[];
  current: string;
  kube: KubeFlags;
  /** The flag whose value is being typed (`--verdict <TAB>`), if any. */
  pendingFlag?: string;
}

/** Splits a command line (without the program name; the last word is the one being typed). */
export function parseLine(args: readonly string[]): CompletionLine {
  const words: string[] = [];
  const kube: KubeFlags = {};
  const before = args.slice(0, -1);
  let pendingFlag: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const a = before[i] ?? '';
    const [flag, inline] = a.startsWith('-') ? (a.split(/=(.*)/s) as [string, string | undefined]) : [a, undefined];
    if (!a.startsWith('-') || !takesValue(flag)) {
      if (!a.startsWith('-')) words.push(a);
      continue;
    }
    if (inline === undefined && i === before.length - 1) pendingFlag = flag;
    const value = inline ?? before[++i];
    const target = KUBE_FLAGS[flag];
    if (target !== undefined && value !== undefined) kube[target] = value;
  }
  return { words, current: args.at(-1) ?? '', kube, ...(pendingFlag === undefined ? {} : { pendingFlag }) };
}

/** Which kind's names fit at this position. */
export function nameSlot(words: readonly string[]): AuditResource | 'kind-or-name' | undefined {
  const [first, second, third] = words;
  if (first === 'describe') {
    if (second === undefined) return 'kind-or-name';
    if (third !== undefined) return undefined;
    if ([ACNP.shortName, 'auditclusternetworkpolicy', 'auditclusternetworkpolicies'].includes(second)) return ACNP;
    if ([ANP.shortName, 'auditnetworkpolicy', 'auditnetworkpolicies'].includes(second)) return ANP;
    return undefined;
  }
  if (first !== 'audit' || third !== undefined) return undefined;
  if (second === 'promote') return ANP;
  if (second === 'promote-cluster') return ACNP;
  return undefined;
}

async function names(res: AuditResource, kube: KubeFlags, env: CliIO['env']): Promise<string[]> {
  const [{ connect }, { openAuditApi }] = await Promise.all([import('../kube/connect.js'), import('../kube/audit-api.js')]);
  const api = await openAuditApi(await connect(kube, env));
  return (await api.list(res, api.conn.namespace)).map((p) => p.metadata.name);
}

function withTimeout<T>(p: Promise<T>, fallback: T, ms: number): Promise<T> {
  const timer = new Promise<T>((resolve) => {
    setTimeout(() => {
      resolve(fallback);
    }, ms).unref();
  });
  return Promise.race([p.catch(() => fallback), timer]);
}

/** Policy names (and, after `describe`, the kinds) for this line; [] where no name fits. */
export async function nameCandidates(args: readonly string[], env: CliIO['env']): Promise<string[]> {
  const line = parseLine(args);
  const slot = line.current.startsWith('-') || line.pendingFlag !== undefined ? undefined : nameSlot(line.words);
  if (slot === undefined) return [];
  const kinds = slot === 'kind-or-name' ? [ACNP.shortName, ANP.shortName] : [];
  const ms = Number(env.KGUARDIAN_COMPLETION_TIMEOUT_MS) || TIMEOUT_MS;
  const found = await withTimeout(names(slot === 'kind-or-name' ? ANP : slot, line.kube, env), [], ms);
  return [...kinds, ...found];
}
