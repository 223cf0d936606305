/**
 * kubectl as the user would type it: the control plane's own kubectl, with the kubeconfig and
 * with the repository's bin/ on PATH so `kubectl kguardian ...` finds the plugin from source.
 */
import { delimiter } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { runCommand, type RunResult } from './run.js';

export interface Kubectl {
  binary: string;
  kubeconfig: string;
  run(args: readonly string[], input?: string): Promise<RunResult>;
  /** Fails with kubectl's stderr on a non-zero exit. */
  ok(args: readonly string[], input?: string): Promise<string>;
}

/** Output shown indented by this much (log.ts's show). */
const INDENT = 4;

/**
 * The width the plugin's tables fit: kubectl runs with its output captured, so the plugin cannot see
 * the terminal. On a terminal, its width less the indent; piped into a file or a log, a width that
 * keeps names whole (the plugin's own fallback, 120, cuts them beside the STATE and REASON columns).
 */
export function tableWidth(stdout: { isTTY?: boolean; columns?: number } = process.stdout, env = process.env): number {
  if (stdout.isTTY && stdout.columns) return Math.max(40, stdout.columns - INDENT);
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 160;
}

export function kubectlFor(binary: string, kubeconfig: string): Kubectl {
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${REPO_ROOT}bin${delimiter}${process.env.PATH ?? ''}`, COLUMNS: String(tableWidth()) };
  const k: Kubectl = {
    binary,
    kubeconfig,
    run: (args, input) => runCommand(binary, args, { env, ...(input === undefined ? {} : { input }) }),
    ok: async (args, input) => {
      const r = await k.run(args, input);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
      return r.stdout;
    },
  };
  return k;
}
