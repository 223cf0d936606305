/** Where the kernel-side build puts its outputs (bpf/Makefile), for tests and benchmarks. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** KG_BPF_BUILD points the tests at another build of bpf/ (e.g. a copy built while someone else
 * works in bpf/); by default bpf/build. */
export const BPF_BUILD = process.env.KG_BPF_BUILD ?? `${REPO_ROOT}bpf/build`;
export const BPF_OBJECT = `${BPF_BUILD}/flow.bpf.o`;
export const KG_LOADER = `${BPF_BUILD}/kg-loader`;
