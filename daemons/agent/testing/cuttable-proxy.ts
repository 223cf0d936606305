/**
 * A TCP proxy a test can cut: every connection through it is dropped at once and new ones are
 * refused until it is restored. Put between a client and the API server (TLS passes through
 * untouched), it makes a watch fail the way a network outage or an API server restart does.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private cut = false;

  private constructor(host: string, port: number) {
    this.server = createServer((downstream) => {
      this.forward(downstream, host, port);
    });
  }

  /** Listens on 127.0.0.1 (a free port) and forwards to host:port. */
  static async start(host: string, port: number): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(host, port);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  private forward(downstream: Socket, host: string, port: number): void {
    if (this.cut) {
      downstream.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const s of [downstream, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => this.sockets.delete(s));
    }
    downstream.pipe(upstream).pipe(downstream);
  }

  /** Drops every open connection and refuses new ones until restore(). */
  cutAll(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
