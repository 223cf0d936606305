/**
 * A local port-forward to the broker pod, opened by the plugin itself: a listener on 127.0.0.1
 * with an ephemeral port, each accepted connection carried to the pod over the API server's
 * pods/portforward (client-node's PortForward, one WebSocket per connection, as kubectl does).
 * When a connection to the pod fails, the next one looks the pod up again, so a long --watch
 * follows the broker to its new pod after a rollout.
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

/** Finds the pod to forward to (find-pod.ts); called again after a failure. */
export type TargetFinder = () => Promise<BrokerTarget>;

export async function openPortForward(kc: KubeConfig, first: BrokerTarget, find: TargetFinder, io: CliIO): Promise<LocalForward> {
  const sockets = new Set<Socket>();
  let target: Promise<BrokerTarget> = Promise.resolve(first);
  let reported = '';
  const failed = (t: BrokerTarget, msg: string): void => {
    if (msg !== '' && msg !== reported) {
      reported = msg;
      io.stderr.write(`port-forward to ${t.namespace}/${t.pod}:${t.port} failed: ${msg}\n`);
    }
    target = find(); // the pod may be gone: look again for the next connection
    target.catch(() => undefined);
  };
  const accept = async (socket: Socket): Promise<void> => {
    let t: BrokerTarget;
    try {
      t = await target;
    } catch (e) {
      io.stderr.write(`port-forward: ${(e as Error).message}\n`);
      target = find();
      target.catch(() => undefined);
      socket.destroy();
      return;
    }
    carry(kc, t, socket, (msg) => {
      failed(t, msg);
    });
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    void accept(socket);
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
