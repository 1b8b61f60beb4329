# The ramp image: the worker by default (docker-compose.yml, service worker; the Helm chart's
# worker Deployment), `node bin/ramp.js server` for the HTTP server (the chart's server
# Deployment). Two stages: the build stage has the development dependencies, compiles TypeScript
# to dist/ and packs the workflow bundle once; the runtime stage has production dependencies
# only and runs compiled JavaScript, as a non-root user. docs/deploy.md; test/unit/dockerfile.test.ts
# checks these properties (no Docker engine runs in the tests).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY cli ./cli
COPY server ./server
COPY ui ./ui
# The CLI reads `ramp dev`'s stack file (dev/stack-file.ts), compiled into dist/dev/.
COPY dev ./dev
COPY scripts/build.ts ./scripts/build.ts
RUN npm run build

FROM node:24-bookworm-slim AS runtime
# git for the GitOps activities; ca-certificates for HTTPS remotes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# `docker compose exec worker node bin/ramp.js status ...` runs the compiled CLI; with no sources
# in the image, bin/ramp.js never falls back to tsx.
COPY bin/ramp.js ./bin/ramp.js
# The published status schema, which the server's OpenAPI document embeds.
COPY docs/schemas ./docs/schemas

# The image's `node` user, by number: Kubernetes can then verify runAsNonRoot.
USER 1000:1000
ENV NODE_ENV=production \
    RAMP_WORKER_HEALTH_ADDR=0.0.0.0:9465
# 9464: the worker's /metrics, ramp's and Temporal's (RAMP_METRICS_ADDRESS, docs/metrics.md);
# 9465: the worker's /healthz and /readyz (docs/worker.md); 8480: ramp server (RAMP_SERVER_LISTEN).
EXPOSE 9464 9465 8480
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9465/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The worker is PID 1's only job: no npx/tsx wrapper between the container's signals and it.
CMD ["node", "dist/worker/main.js"]
