# syntax=docker/dockerfile:1
# The kguardian evaluator image. Build from the repository root:
#   docker build -f deploy/docker/evaluator.Dockerfile -t ghcr.io/kguardian/kguardian-evaluator:0.1.0 .
# Stages: build compiles the evaluator's entry point and what it imports to JavaScript
# (tsc, deploy/docker/tsconfig.evaluator.json: no other daemon, no test),
# deps installs the production dependencies only, and the final stage runs the compiled code as an
# unprivileged user: no tsx, no compiler, no dev dependencies at run time.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY policy policy
COPY contracts contracts
COPY runtime runtime
COPY deploy/docker/tsconfig.build.json deploy/docker/tsconfig.evaluator.json deploy/docker/
COPY daemons/listen-host.ts daemons/
COPY daemons/evaluator daemons/evaluator
RUN npx tsc -p deploy/docker/tsconfig.evaluator.json

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist ./
USER 10001:10001
EXPOSE 9091
CMD ["node", "--enable-source-maps", "daemons/evaluator/main.js"]
