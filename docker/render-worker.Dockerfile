# Render worker: Chromium (headless shell) + ffmpeg + fonts, from Debian bookworm.
# The system packages come from scripts/install-system-deps.sh, the same
# script `npm test` and `npm run demo` run, so the image and a dev machine
# cannot drift apart. Build from the repository root:
#   docker build -f docker/render-worker.Dockerfile -t mastercut-render .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PUPPETEER_SKIP_DOWNLOAD=1
COPY scripts/ scripts/
RUN bash scripts/install-system-deps.sh \
 && apt-get install -y -qq --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY compositions/ compositions/
COPY workers/ workers/
# Bundles are built into the cache on first use; give the worker a writable home for it.
RUN mkdir -p /app/.cache /data && chown node:node /app/.cache /data
ENV MASTERCUT_CACHE_DIR=/app/.cache STORAGE_ROOT=/data
USER node
# tini reaps Chromium's zombie processes and forwards SIGTERM for a graceful drain.
ENTRYPOINT ["tini", "--"]
CMD ["./bin/mastercut", "worker", "render"]
