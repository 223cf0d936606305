# syntax=docker/dockerfile:1
# The kguardian node agent image: the agent (Node) and kg-loader, the eBPF loader it runs. Build from
# the repository root on a host whose kernel has BTF (bpf/Makefile generates vmlinux.h from
# /sys/kernel/btf/vmlinux; CO-RE makes the object run on any kernel with BTF):
#   docker build -f deploy/docker/agent.Dockerfile -t ghcr.io/kguardian/kguardian-agent:0.1.0 .
# Every stage is Debian bookworm, so kg-loader links against the same libbpf it finds at run time.

FROM node:20.20.2-bookworm-slim AS bpf
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev make gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src/bpf
COPY bpf/ ./
ARG VMLINUX_BTF=/sys/kernel/btf/vmlinux
RUN make clean && make VMLINUX_BTF="$VMLINUX_BTF"

FROM node:20.20.2-bookworm-slim AS modules
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The agent's entry point and what it imports (deploy/docker/tsconfig.agent.json): no other daemon, no test.
FROM modules AS build
COPY tsconfig.json ./
COPY policy policy
COPY contracts contracts
COPY runtime runtime
COPY deploy/docker/tsconfig.build.json deploy/docker/tsconfig.agent.json deploy/docker/
COPY daemons/agent daemons/agent
RUN npx tsc -p deploy/docker/tsconfig.agent.json

# The production dependencies: what `npm ci --omit=dev` would install, without downloading them again.
FROM modules AS deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20.20.2-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libbpf1 libelf1 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/dist ./
COPY --from=bpf /src/bpf/build/kg-loader /usr/local/bin/kg-loader
# root: Kubernetes gives a container's capabilities (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, from the
# DaemonSet) to uid 0 only; a non-root user would start kg-loader without them. The DaemonSet keeps
# it unprivileged otherwise: every other capability dropped, no privilege escalation, read-only root.
USER 0:0
EXPOSE 9102
CMD ["node", "--enable-source-maps", "daemons/agent/main.js"]
