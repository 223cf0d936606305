/**
 * Runs kg-loader (bpf/loader.c) as a child process and turns its stdout into decoded record
 * batches. The pipe is the back-pressure: if the agent falls behind, the loader blocks on write,
 * the kernel ring buffer fills, and the loss shows up in the counters record rather than in
 * unbounded agent memory. stderr is text, handed to the caller line by line; when the loader
 * exits non-zero the iteration fails with its last stderr lines, so "missing capability CAP_BPF"
 * reaches the agent's log and exit status.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { RecordDecoder, type LoaderRecord } from './record-decoder.js';

export interface LoaderProcessOptions {
  /** Path to kg-loader. */
  binary: string;
  /** Extra arguments, e.g. ['--flush-ms', '200']. */
  args?: readonly string[];
  /** Each stderr line of the loader (start-up checks, failures). Defaults to process.stderr. */
  onStderr?: (line: string) => void;
}

export interface LoaderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_TAIL = 20;

export class LoaderExitError extends Error {
  override name = 'LoaderExitError';
}

export class LoaderProcess implements AsyncIterable<LoaderRecord[]> {
  readonly exited: Promise<LoaderExit>;
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly stderrTail: string[] = [];
  private readonly decoder = new RecordDecoder();
  private stopping = false;

  constructor(options: LoaderProcessOptions) {
    this.child = spawn(options.binary, [...(options.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const onStderr = options.onStderr ?? ((line: string): void => void process.stderr.write(`${line}\n`));
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
      onStderr(line);
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LoaderRecord[]> {
    for await (const chunk of this.child.stdout as AsyncIterable<Buffer>) {
      const records = this.decoder.push(chunk);
      if (records.length > 0) yield records;
    }
    const exit = await this.exited;
    if (exit.code !== 0 && !(this.stopping && exit.signal === 'SIGTERM')) {
      const how = exit.code === null ? `signal ${exit.signal ?? '?'}` : `code ${exit.code}`;
      throw new LoaderExitError(`kg-loader exited with ${how}: ${this.stderrTail.join(' | ')}`);
    }
  }

  /** Asks the loader to drain, sweep and exit (SIGTERM), and waits for it. */
  async stop(): Promise<LoaderExit> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
