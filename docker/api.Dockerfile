# HTTP API (validates, queues, fans campaigns out, serves outputs) and, with
# another command, the webhook worker (`mastercut worker webhooks`): neither
# renders or encodes, so this image has no Chromium and no ffmpeg.
# Build from the repository root:
#   docker build -f docker/api.Dockerfile -t mastercut-api .
# System packages: none of scripts/system-packages.txt (that list is what the
# renderer and the encoder need), only tini. test/unit/docker checks it.

# --- Stage 1: production node_modules (no dev dependencies, no browser download).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Stage 2: runtime.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY compositions/ compositions/
# `mastercut worker webhooks` loads its entry point from workers/.
COPY workers/ workers/
RUN mkdir -p /app/.cache /data && chown node:node /app/.cache /data
ENV MASTERCUT_CACHE_DIR=/app/.cache STORAGE_ROOT=/data API_PORT=8080
# Non-root: uid 1000 (`node`), the same uid as the worker images, so all of them share the /data volume.
USER node
EXPOSE 8080
# Liveness through Node's fetch (the image has no curl). The webhook worker
# overrides this in compose/Kubernetes with its own metrics port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.API_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to Node (graceful close) and reaps zombies.
# No `-g`: see render-worker.Dockerfile for why signals must not reach the whole group.
ENTRYPOINT ["tini", "--"]
CMD ["./bin/mastercut", "serve"]
