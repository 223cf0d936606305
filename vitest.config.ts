// Two projects: `unit` runs anywhere with no services; `integration` gets a real
// kube-apiserver and PostgreSQL from the global setup (see test/setup/).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['policy/**/*.test.ts', 'plugin/**/*.test.ts', 'krew/**/*.test.ts', 'daemons/**/*.test.ts', 'runtime/**/*.test.ts', 'contracts/**/*.test.ts', 'crds/**/*.test.ts', 'test/unit/**/*.test.ts', 'deploy/**/*.test.ts', 'test/enforcement/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.kernel.test.ts', '**/*.images.test.ts', '**/*.enforcement.test.ts', 'node_modules/**'],
          // Some unit tests start the CLI as a child process (tsx compiles it on the way): a few
          // hundred ms on an idle machine, several seconds with both cores busy. vitest's 5 s
          // default failed them under load without anything being wrong.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // Real eBPF on the running kernel, real traffic between network namespaces: needs root
          // and bpf/build (scripts/test.d/40-kernel.sh builds it). One file at a time: they share
          // the kernel's hooks.
          name: 'kernel',
          include: ['**/*.kernel.test.ts'],
          exclude: ['node_modules/**'],
          // Only a backstop: every wait inside a test has its own deadline and says what never
          // happened. Each test starts helper processes (node with tsx, kg-loader, the agent), and
          // with both cores busy (load average 33) one test took 48 s and one agent test 90 s.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The container images scripts/images.sh builds (needs root: buildah, chroot, a private
          // containerd); scripts/test.d/55-images.sh builds them first (cached), so the tests only
          // rebuild what they change themselves.
          name: 'images',
          include: ['**/*.images.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          // Each service adds its own setup file here; tests read what it provides with inject().
          globalSetup: ['test/setup/controlplane.ts', 'test/setup/postgres.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The whole pipeline (test/e2e/): real eBPF and netns pods (root), the control plane and
          // PostgreSQL from the global setups, every daemon as its own process.
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          exclude: ['node_modules/**'],
          globalSetup: ['test/e2e/kernel-setup.ts', 'test/setup/controlplane.ts', 'test/setup/postgres.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The upstream NetworkPolicy e2e suite's CI subset on a real cluster of its own
          // (docs/conformance.md): root, one file at a time, never at once with the cluster projects.
          name: 'conformance',
          include: ['test/conformance/**/*.conformance.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // scripts/cluster.sh itself (up, idempotence, down leaving the host as it was): its own
          // cluster, so it runs apart from the shared one of the `cluster` project, never at once
          // (a host runs one cluster): scripts/test.d/60-cluster.sh runs one project, then the other.
          name: 'cluster-host',
          include: ['test/cluster/cluster.cluster.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 300_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // A real single-node cluster on this host (scripts/cluster.sh, docs/cluster.md) with
          // kguardian installed by its chart, brought up once by the global setup and shared by
          // every file: root, and one file at a time.
          name: 'cluster',
          include: ['test/cluster/**/*.cluster.test.ts'],
          exclude: ['node_modules/**', 'test/cluster/cluster.cluster.test.ts'],
          globalSetup: ['test/cluster/testing/setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // kguardian's verdicts against a real enforcer's drops (test/enforcement/, docs/enforcement.md):
          // a scripts/cluster.sh cluster with kube-router, root, one file.
          name: 'enforcement',
          include: ['test/enforcement/**/*.enforcement.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 3_600_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
