# syntax=docker/dockerfile:1
# The kguardian evaluator image. Build from the repository root:
#   docker build -f deploy/docker/evaluator.Dockerfile -t ghcr.io/kguardian/kguardian-evaluator:0.1.0 .
# Stages: modules installs every npm dependency once; build compiles the evaluator's entry point and
# what it imports (deploy/docker/tsconfig.evaluator.json: no other daemon, no test); deps prunes the
# modules to the production ones; the final stage runs the compiled code as an unprivileged user:
# no tsx, no compiler, no dev dependencies at run time.

FROM node:20.20.2-bookworm-slim AS modules
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM modules AS build
COPY tsconfig.json ./
COPY policy policy
COPY contracts contracts
COPY runtime runtime
COPY deploy/docker/tsconfig.build.json deploy/docker/tsconfig.evaluator.json deploy/docker/
COPY daemons/listen-host.ts daemons/
COPY daemons/evaluator daemons/evaluator
RUN npx tsc -p deploy/docker/tsconfig.evaluator.json

# The production dependencies: what `npm ci --omit=dev` would install, without downloading them again.
FROM modules AS deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/dist ./
USER 10001:10001
EXPOSE 9091
CMD ["node", "--enable-source-maps", "daemons/evaluator/main.js"]
