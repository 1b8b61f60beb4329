# The ramp worker image (docker-compose.yml, service worker).
FROM node:20-bookworm-slim

# git for the GitOps activities; ca-certificates for HTTPS remotes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker

USER node
ENV NODE_ENV=production
EXPOSE 9464
CMD ["npx", "tsx", "worker/main.ts"]
