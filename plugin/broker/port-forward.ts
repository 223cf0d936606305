/**
 * A local port-forward to the broker pod, opened by the plugin itself: a listener on 127.0.0.1
 * with an ephemeral port, each accepted connection carried to the pod over the API server's
 * pods/portforward (client-node's PortForward, one WebSocket per connection, as kubectl does).
 */
import { createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type { CliIO } from '../io.js';
import type { BrokerTarget } from './find-pod.js';

export interface LocalForward {
  port: number;
  close(): Promise<void>;
}

interface Closable {
  close(): void;
  on?(event: 'close', listener: () => void): unknown;
}

/**
 * The error channel: the kubelet writes why it could not connect; the connection is then useless.
 * Its first frame carries only the port number, which the client strips: an empty chunk is no error.
 */
function errorSink(socket: Socket, report: (msg: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done): void {
      const msg = chunk.toString().trim();
      if (msg !== '') {
        report(msg);
        socket.destroy();
      }
      done();
    },
  });
}

function carry(kc: KubeConfig, target: BrokerTarget, socket: Socket, report: (msg: string) => void): void {
  const pf = new PortForward(kc);
  pf.portForward(target.namespace, target.pod, [target.port], socket, errorSink(socket, report), socket)
    .then((ws) => {
      const w = ws as unknown as Closable;
      socket.once('close', () => {
        w.close();
      });
      w.on?.('close', () => socket.destroy());
    })
    .catch((e: unknown) => {
      report((e as Error).message);
      socket.destroy();
    });
}

export async function openPortForward(kc: KubeConfig, target: BrokerTarget, io: CliIO): Promise<LocalForward> {
  const sockets = new Set<Socket>();
  let reported = '';
  const report = (msg: string): void => {
    if (msg === '' || msg === reported) return;
    reported = msg;
    io.stderr.write(`port-forward to ${target.namespace}/${target.pod}:${target.port} failed: ${msg}\n`);
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    carry(kc, target, socket, report);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
