/**
 * Everything the playground makes registers its undo here, at the moment it is made, so an error
 * halfway, Ctrl-C or SIGTERM still removes exactly what exists: steps run once, newest first, and
 * a failing step does not stop the others.
 */
export interface CleanupStep {
  what: string;
  run: () => Promise<void> | void;
}

export class Cleanup {
  private readonly steps: CleanupStep[] = [];
  private running: Promise<string[]> | undefined;
  private finished = false;

  /** After the cleanup has finished, something still being started is undone at once. */
  add(what: string, run: () => Promise<void> | void): void {
    if (this.finished) {
      void Promise.resolve().then(run).catch(() => undefined);
      return;
    }
    this.steps.push({ what, run });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every step once (later calls wait for the first); resolves with the steps that failed. */
  runAll(report: (line: string) => void = () => undefined): Promise<string[]> {
    this.running ??= this.drain(report);
    return this.running;
  }

  private async drain(report: (line: string) => void): Promise<string[]> {
    const failed: string[] = [];
    for (let s = this.steps.pop(); s !== undefined; s = this.steps.pop()) {
      report(s.what);
      try {
        await s.run();
      } catch (err) {
        failed.push(`${s.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.finished = true;
    return failed;
  }
}

/**
 * Runs the cleanup on SIGINT/SIGTERM and exits with 130/143. A second signal while cleaning up is
 * ignored rather than leaving half the stack behind. Returns the function that removes the handlers.
 */
export function cleanupOnSignals(cleanup: Cleanup, report: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    report(`${signal}: cleaning up`);
    void cleanup.runAll(report).then((failed) => {
      for (const f of failed) report(`cleanup failed: ${f}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
