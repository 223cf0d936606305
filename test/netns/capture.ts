/**
 * Runs kg-loader for a kernel test and keeps everything it reports, so a test can wait for the
 * records its traffic should produce and then assert on exactly those.
 */
import { LoaderProcess } from '../../daemons/agent/loader-process.js';
import type { ConntrackRecord, CountersRecord, FlowRecord, LoaderRecord, NatRecord } from '../../daemons/agent/record-decoder.js';
import { KG_LOADER } from './paths.js';

export class Capture {
  readonly flows: FlowRecord[] = [];
  readonly counters: CountersRecord[] = [];
  /** Conntrack translations and lookup counters (only with --service-cidr). */
  readonly nats: NatRecord[] = [];
  readonly conntrack: ConntrackRecord[] = [];
  /** Every record in the order the loader wrote it. */
  readonly records: LoaderRecord[] = [];
  readonly stderr: string[] = [];
  private readonly loader: LoaderProcess;
  private failure: Error | undefined;
  private readonly done: Promise<void>;

  /** `wrapper`, e.g. ['setpriv', ..., '--'], runs the loader through another program. */
  constructor(args: readonly string[] = [], wrapper: readonly string[] = []) {
    const [binary, ...before] = wrapper.length > 0 ? [...wrapper, KG_LOADER] : [KG_LOADER];
    this.loader = new LoaderProcess({ binary, args: [...before, ...args], onStderr: (line) => this.stderr.push(line) });
    this.done = this.consume();
  }

  private async consume(): Promise<void> {
    try {
      for await (const batch of this.loader) {
        for (const rec of batch) {
          this.records.push(rec);
          if (rec.kind === 'counters') this.counters.push(rec);
          else if (rec.kind === 'nat') this.nats.push(rec);
          else if (rec.kind === 'conntrack') this.conntrack.push(rec);
          else this.flows.push(rec);
        }
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }

  /** The loader's process id (e.g. to pause it with SIGSTOP so nobody drains the ring buffer). */
  get pid(): number | undefined {
    return this.loader.pid;
  }

  /** Polls `check` until it returns true, the loader dies, or `timeoutMs` passes. The default is
   * for a machine whose cores are all busy: a condition met returns at once, so it costs nothing
   * when all is well, and only says "never" later. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; loader stderr: ${this.stderr.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The loader writes a counters record once every program is attached. */
  async ready(): Promise<void> {
    await this.waitFor('kg-loader to attach', () => this.counters.length > 0);
  }

  /** Waits for one more sweep, so UDP counts up to now have been reported. */
  async nextSweeps(n = 2): Promise<void> {
    const target = this.counters.length + n;
    await this.waitFor(`${n} sweeps`, () => this.counters.length >= target);
  }

  async stop(): Promise<void> {
    await this.loader.stop();
    await this.done;
    if (this.failure) throw this.failure;
  }
}
