/**
 * One message style for bad flags, in every command: exit 2, one `error: ...` line that says
 * what is wrong in words and what would be right, then `See 'kubectl kguardian CMD --help' for
 * usage.`; never yargs's multi-line dump, never the help with exit 0. Also the messages of
 * things a flag pointed at: a --broker-url that is not a broker, the watch's reconnect line,
 * and `verdicts --policy` naming a policy no verdict names.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerClient, BrokerUnreachableError, type BrokerClient } from './broker/client.js';
import { followVerdicts } from './broker/follow.js';
import { CliError } from './errors.js';
import { keepNegativeValues } from './flag-errors.js';
import { memoryIO } from './io.js';
import { runCli } from './main.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('bad flags: one line and a hint, exit 2', () => {
  it.each([
    { args: ['verdicts', '-o', 'xml'], line: '-o/--output: "xml" is not one of table, wide, json, yaml', cmd: 'verdicts' },
    { args: ['describe', 'p', '-o', 'xml'], line: '-o/--output: "xml" is not one of text, json, yaml', cmd: 'describe' },
    { args: ['describe', 'p', '--output', 'xml'], line: '-o/--output: "xml" is not one of text, json, yaml', cmd: 'describe' },
    { args: ['audit', 'promote', 'p', '-o', 'xml'], line: '-o/--output: "xml" is not one of yaml, json, name', cmd: 'audit promote' },
    { args: ['audit', 'promote-cluster', 'p', '-o', 'xml'], line: '-o/--output: "xml" is not one of yaml, json, name', cmd: 'audit promote-cluster' },
    { args: ['audit', 'test', '-f', 'p.yaml', '-o', 'xml'], line: '-o/--output: "xml" is not one of table, wide, json, yaml', cmd: 'audit test' },
    { args: ['completion', 'fish'], line: 'shell: "fish" is not one of bash, zsh', cmd: 'completion' },
    // yargs read -1h as the options -1 and -h, and printed the help with exit 0.
    { args: ['verdicts', '--since', '-1h'], line: '--since: "-1h" is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d', cmd: 'verdicts' },
    { args: ['verdicts', '--limit', 'abc'], line: '--limit "abc" is not a whole number; give the number of rows, from 1 to 1000000', cmd: 'verdicts' },
    { args: ['verdicts', '--limit', '0'], line: '--limit 0 is out of range; give the number of rows, from 1 to 1000000', cmd: 'verdicts' },
    { args: ['verdicts', '--limit', '-5'], line: '--limit "-5" is not a whole number; give the number of rows, from 1 to 1000000', cmd: 'verdicts' },
    { args: ['verdicts', '--frobnicate'], line: 'unknown flag: --frobnicate', cmd: 'verdicts' },
    { args: ['frobnicate'], line: 'unknown command "frobnicate"', cmd: '' },
    // yargs's own words were a bare "Did you mean verdicts?", not saying what was wrong.
    { args: ['verdict'], line: 'unknown command "verdict"; did you mean "verdicts"?', cmd: '' },
    { args: ['-n', 'shop', 'verdict'], line: 'unknown command "verdict"; did you mean "verdicts"?', cmd: '' },
    { args: ['audit', 'tset', '-f', 'p.yaml'], line: 'unknown command "audit tset"; did you mean "audit test"?', cmd: 'audit' },
    { args: ['verify', '--frobnicate'], line: 'unknown flag: --frobnicate', cmd: 'verify' },
    { args: ['audit'], line: 'name an audit subcommand', cmd: 'audit' },
    { args: ['audit', 'test'], line: 'give at least one policy file with -f (use - for stdin)', cmd: 'audit test' },
    { args: ['audit', 'promote-cluster'], line: 'name an AuditClusterNetworkPolicy: audit promote-cluster NAME', cmd: 'audit promote-cluster' },
    { args: ['audit', 'promote', 'p', '--overwrite'], line: '--overwrite needs --apply: only --apply replaces an existing NetworkPolicy', cmd: 'audit promote' },
  ])('$args', async ({ args, line, cmd }) => {
    const r = await run(args);
    expect(r).toEqual({ code: 2, out: '', err: `error: ${line}\nSee 'kubectl kguardian ${cmd ? `${cmd} ` : ''}--help' for usage.\n` });
  });

  it.each([
    { args: ['verdicts', '--since', '-1h'], want: ['verdicts', '--since=-1h'] },
    { args: ['-n', '-3'], want: ['-n=-3'] },
    // Only a dash and a digit: a flag after a flag stays a flag.
    { args: ['verdicts', '-A', '-w'], want: ['verdicts', '-A', '-w'] },
    { args: ['--limit=-1', '-1'], want: ['--limit=-1', '-1'] },
  ])('keepNegativeValues($args)', ({ args, want }) => {
    expect(keepNegativeValues(args)).toEqual(want);
  });
});

describe('a --broker-url that is not a broker', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/audit/verdicts') && req.url.includes('policy=')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ verdicts: [], nextBeforeId: null }));
      } else if (req.headers['x-body'] === 'html') res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body><h1>Error response</h1>\n<p>Error code: 404</p></body></html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // The command loads the Kubernetes client (for a token from the kubeconfig): slow on a busy machine.
  it('an empty 404 is a whole sentence that says it is not a broker (exit 1)', { timeout: 60_000 }, async () => {
    const r = await run(['verdicts', '--broker-url', url, '-n', 'prod']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: ${url} answered 404 to GET /audit/verdicts with an empty body, not the broker's JSON: it does not look like a kguardian broker. Check the broker URL, or leave it out to reach the broker through the cluster\n`,
    );
  });

  it('a web page quotes the start of it on one line', async () => {
    const client = brokerClient({ baseUrl: url, token: undefined, origin: 'flag' });
    const opened = client.open('/audit/verdicts', {}, { 'x-body': 'html' });
    await expect(opened).rejects.toThrow(`${url} answered 404 to GET /audit/verdicts with "<html><body><h1>Error response</h1> <p>Error code: 404</p></body></html>", not the broker's JSON`);
  });

  it('verdicts --policy that no verdict names says so, and how to list the policies', { timeout: 60_000 }, async () => {
    const r = await run(['verdicts', '--broker-url', url, '-n', 'prod', '--policy', 'nope']);
    expect(r).toEqual({
      code: 0,
      out: '',
      err: 'No verdicts name policy "nope" in prod namespace: either it saw no traffic in that time, or no such policy exists (list them with: kubectl get auditnetworkpolicies -n prod).\n',
    });
  });
});

describe("the watch's reconnect line", () => {
  it('says in words what happened, and does not send someone already using --broker-url to --broker-url', async () => {
    const failures: Error[] = [
      new TypeError('terminated'), // what Node's fetch throws when the body is cut
      new BrokerUnreachableError('cannot reach the broker at http://b:9090 (ECONNREFUSED). Is the broker running there? Check --broker-url', 'cannot reach the broker at http://b:9090 (ECONNREFUSED)'),
      new CliError('the broker answered 503 for /audit/verdicts/stream: saturated'),
    ];
    const abort = new AbortController();
    const client: BrokerClient = {
      baseUrl: 'http://b:9090',
      getJson: () => Promise.reject(new Error('not used')),
      open: () => {
        const next = failures.shift();
        if (next === undefined) abort.abort();
        return Promise.reject(next ?? new Error('aborted'));
      },
    };
    const io = memoryIO();
    await followVerdicts(client, {}, io, () => undefined, { afterId: 7, signal: abort.signal, delay: () => Promise.resolve() });
    expect(io.err()).toBe(
      'watch: lost the connection to the broker at http://b:9090; reconnecting in 0.5 s (resuming after verdict 7)\n' +
        'watch: cannot reach the broker at http://b:9090 (ECONNREFUSED); reconnecting in 1.0 s (resuming after verdict 7)\n' +
        'watch: the broker answered 503 for /audit/verdicts/stream: saturated; reconnecting in 2.0 s (resuming after verdict 7)\n',
    );
  });
});
