/** Where things live, from this file's place in the repository. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const KG_LOADER = `${REPO_ROOT}bpf/build/kg-loader`;
export const CONTROLPLANE_SH = `${REPO_ROOT}scripts/controlplane.sh`;
export const TRAFFIC_TOOL = `${REPO_ROOT}playground/traffic-tool.ts`;
export const PLUGIN = `${REPO_ROOT}plugin/cli.ts`;
export const EVALUATOR_MAIN = `${REPO_ROOT}daemons/evaluator/main.ts`;
