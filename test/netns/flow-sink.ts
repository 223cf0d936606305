/**
 * A stand-in broker for benchmarks and fast tests: accepts `POST /v1/flows` batches, keeps every
 * observation, answers 200. No PostgreSQL, no auth: what the agent shipped, nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { FlowBatch, FlowObservation } from '../../daemons/agent/flow-observation.js';

export class FlowSink {
  readonly observations: FlowObservation[] = [];
  batches = 0;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(this.accept(req.method, req.url, Buffer.concat(chunks).toString('utf8'))).end('{}');
      });
    });
  }

  static async start(): Promise<FlowSink> {
    const sink = new FlowSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  private accept(method: string | undefined, url: string | undefined, body: string): number {
    if (method !== 'POST' || url !== '/v1/flows') return 404;
    try {
      const batch = JSON.parse(body) as FlowBatch;
      this.observations.push(...batch.flows);
      this.batches++;
      return 200;
    } catch {
      return 400;
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
