/** Where the kernel-side build puts its outputs (bpf/Makefile), for tests and benchmarks. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BPF_BUILD = `${REPO_ROOT}bpf/build`;
export const BPF_OBJECT = `${BPF_BUILD}/flow.bpf.o`;
export const KG_LOADER = `${BPF_BUILD}/kg-loader`;
