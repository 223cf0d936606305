/**
 * A stand-in for the evaluator daemon in tests: a real HTTP server on 127.0.0.1 answering
 * `POST /evaluate` with canned FlowEvaluations from a function of the flow. It can be taken
 * "down" (503s) or made slow, and records every request it got. The lead replaces it with the
 * real evaluator in end-to-end tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvaluateItem } from '../evaluator-client.js';
import type { FlowEvaluation, PolicyVerdict } from '../../../policy/types.js';

export interface EvaluatorDouble {
  url: string;
  requests: EvaluateItem[][];
  /** When true, every request gets a 503. */
  down: boolean;
  delayMs: number;
  close(): Promise<void>;
}

/** A FlowEvaluation holding `verdicts` and neutral everything else. */
export function evaluationOf(verdicts: PolicyVerdict[]): FlowEvaluation {
  const allow = { ingress: 'Allow', egress: 'Allow', allowed: true } as const;
  return { src: null, dst: null, verdicts, effective: allow, enforced: allow, notes: [] };
}

export async function startEvaluatorDouble(judge: (item: EvaluateItem) => FlowEvaluation): Promise<EvaluatorDouble> {
  const double: Omit<EvaluatorDouble, 'url' | 'close'> = { requests: [], down: false, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (): void => {
        if (req.url !== '/evaluate' || req.method !== 'POST' || double.down) {
          res.writeHead(double.down ? 503 : 404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { flows: EvaluateItem[] };
        double.requests.push(body.flows);
        const results = body.flows.map((f) => ({ id: f.id, evaluation: judge(f) }));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results }));
      };
      if (double.delayMs > 0) setTimeout(reply, double.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(double, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}
