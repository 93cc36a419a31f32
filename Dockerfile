# syntax=docker/dockerfile:1
# One image for both Guichet processes: the API (default command) and the Temporal worker
# (command: node --import tsx worker/main.ts). See docker-compose.yml for a full deployment.
#
#   docker build -t guichet .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://... -e TEMPORAL_ADDRESS=host:7233 guichet

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# --- deps: the exact lockfile tree, dev dependencies included (vite builds the console, tsx runs the sources).
# Install scripts run as package.json "allowScripts" allows them.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci

# --- build: the web console, into web/dist.
FROM deps AS build
COPY . .
RUN npx vite build web --logLevel warn

# --- prod-deps: the same tree pruned to production dependencies, plus tsx, which runs the TypeScript sources
# at run time (node --import tsx). Moving tsx to "dependencies" in this throw-away copy of package.json makes
# npm prune keep it and its own dependencies (esbuild), from the lockfile versions already installed.
FROM deps AS prod-deps
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN --mount=type=cache,target=/root/.npm \
    npm pkg set "dependencies.tsx=$(npm pkg get devDependencies.tsx | tr -d '"')" \
 && npm pkg delete devDependencies.tsx \
 && npm prune --omit=dev \
 && node --import tsx -e ""

# --- runtime: non-root, sources + pruned node_modules + built console.
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: see platform/processes.ts (the worker's RSS stays bounded once its workflow cache is full).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=8080 \
    WEB_DIST=/app/web/dist \
    npm_config_update_notifier=false
WORKDIR /app
RUN groupadd --system --gid 10001 guichet \
 && useradd --system --uid 10001 --gid guichet --home-dir /app --no-create-home --shell /usr/sbin/nologin guichet
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root platform ./platform
COPY --chown=root:root api ./api
COPY --chown=root:root worker ./worker
COPY --chown=root:root activities ./activities
COPY --chown=root:root workflows ./workflows
COPY --chown=root:root workflow-definitions ./workflow-definitions
COPY --chown=root:root mail ./mail
COPY --chown=root:root webhooks ./webhooks
COPY --from=build --chown=root:root /app/web/dist ./web/dist
# Sources stay root-owned and read-only for the process; it writes nothing but logs to stdout.
USER 10001:10001
EXPOSE 8080
# Liveness of the API process (the worker service disables it: it serves no HTTP).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "api/main.ts"]
