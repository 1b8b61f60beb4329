# The ramp worker image (docker-compose.yml, service worker). Two stages: the build compiles
# TypeScript to dist/ and packs the workflow bundle once, at image build time; the image runs
# compiled JavaScript with production dependencies only, and its worker starts without bundling.

FROM node:20-bookworm-slim AS build
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
COPY scripts/build.ts ./scripts/build.ts
RUN npm run build

FROM node:20-bookworm-slim
# git for the GitOps activities; ca-certificates for HTTPS remotes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# `docker compose exec worker node bin/ramp.js status ...` runs the compiled CLI.
COPY bin/ramp.js ./bin/ramp.js

USER node
ENV NODE_ENV=production \
    RAMP_WORKER_HEALTH_ADDR=0.0.0.0:9465
# 9464: /metrics, ramp's and Temporal's (RAMP_METRICS_ADDRESS, docs/metrics.md); 9465: /healthz and /readyz (docs/worker.md).
EXPOSE 9464 9465
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9465/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The worker is PID 1's only job: no npx/tsx wrapper between the container's signals and it.
CMD ["node", "dist/worker/main.js"]
