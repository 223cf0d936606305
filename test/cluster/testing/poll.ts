/**
 * Waiting for a condition on the cluster by asking again: `f` returns undefined (or throws) until
 * the condition holds. The deadline only turns a hang into a failure that says what never
 * happened and the last error seen; it is not what the test measures.
 */
export async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${String(timeoutMs)} ms${last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})`}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
