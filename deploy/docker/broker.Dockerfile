# syntax=docker/dockerfile:1
# The kguardian broker image. Build from the repository root:
#   docker build -f deploy/docker/broker.Dockerfile -t ghcr.io/kguardian/kguardian-broker:0.1.0 .
# Stages: modules installs every npm dependency once; build compiles the broker's entry point and
# what it imports (deploy/docker/tsconfig.broker.json: no other daemon, no test) and bundles the web
# view (daemons/broker/ui/build.ts); deps prunes the modules to the production ones; the final stage
# runs the compiled code as an unprivileged user: no tsx, no compiler, no dev dependencies at run time.

FROM node:20.20.2-bookworm-slim AS modules
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM modules AS build
COPY tsconfig.json ./
COPY policy policy
COPY contracts contracts
COPY runtime runtime
COPY deploy/docker/tsconfig.build.json deploy/docker/tsconfig.broker.json deploy/docker/
COPY daemons/listen-host.ts daemons/
COPY daemons/broker daemons/broker
RUN npx tsc -p deploy/docker/tsconfig.broker.json
# The web view (/ui/): bundled by esbuild beside the compiled route, which serves it from there.
RUN node --import tsx daemons/broker/ui/build.ts dist/daemons/broker/ui/assets

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
EXPOSE 9090
CMD ["node", "--enable-source-maps", "daemons/broker/main.js"]
