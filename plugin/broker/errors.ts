/**
 * Turns broker answers that are not 200 into messages with the next step. 401 and 403 name the
 * RBAC permission the request needs, because that is what a user has to ask an admin for.
 */
import { CliError, EXIT } from '../errors.js';
import { NO_TOKEN_HELP } from './token.js';

/** The RBAC permission a broker path needs, in kubectl's `verb resource.group` form. */
export function permissionFor(path: string): string {
  return path.startsWith('/v1/flows') ? 'get flows.kguardian.dev' : 'get auditverdicts.kguardian.dev';
}

function scopeOf(query: URLSearchParams): string {
  const ns = query.get('namespace');
  return ns ? `in namespace ${ns}` : 'cluster-wide (no namespace given, or cluster-scoped policies)';
}

/** The broker's `{"error": ...}`; undefined when the body is not in that form (then it is not the broker speaking). */
function brokerMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * The broker answers every error with `{"error": ...}`; anything else came from something that is
 * not a kguardian broker (a web server, a proxy, another service on that port).
 */
function notABroker(status: number, body: string, path: string, baseUrl: string): CliError {
  const text = body.replace(/\s+/g, ' ').trim();
  const sample = text === '' ? 'an empty body' : `"${text.length > 80 ? `${text.slice(0, 80)}...` : text}"`;
  return new CliError(
    `${baseUrl} answered ${status} to GET ${path} with ${sample}, not the broker's JSON: it does not look like a kguardian broker. ` +
      'Check the broker URL, or leave it out to reach the broker through the cluster',
  );
}

/** The request a broker answered with an error, as the message names it. */
export interface FailedRequest {
  path: string;
  query: URLSearchParams;
  hadToken: boolean;
  /** Named in the message; 'the broker' when absent. */
  baseUrl?: string;
}

export function brokerHttpError(status: number, body: string, request: FailedRequest): CliError {
  const { path, query, hadToken, baseUrl = 'the broker' } = request;
  const fromBroker = brokerMessage(body);
  if (fromBroker === undefined && status !== 401 && status !== 403) return notABroker(status, body, path, baseUrl);
  const said = fromBroker ?? body.trim().slice(0, 300);
  const perm = permissionFor(path);
  if (status === 401) {
    if (!hadToken) return new CliError(`the broker asks for a bearer token (401). ${NO_TOKEN_HELP}`);
    return new CliError(`the broker refused the token (401: ${said}). The token may have expired or be for another cluster; pass a fresh one with --token or --token-file`);
  }
  if (status === 403) {
    return new CliError(
      `forbidden (403: ${said}). Reading this needs RBAC permission \`${perm}\` ${scopeOf(query)}: ` +
        `ask an admin for a Role (or ClusterRole) with rules [{apiGroups: [kguardian.dev], resources: [${perm.split(' ')[1]?.split('.')[0] ?? ''}], verbs: [get]}] bound to you`,
    );
  }
  if (status === 400) return new CliError(`the broker rejected the request: ${said}`, EXIT.badInput);
  return new CliError(`the broker answered ${status} for ${path}: ${said}`);
}
