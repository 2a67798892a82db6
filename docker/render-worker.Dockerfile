# Render worker: Chromium (chromium-headless-shell) + ffmpeg + fonts on Debian
# bookworm-slim. The system packages come from scripts/install-system-deps.sh,
# the script `npm test` and `npm run demo` run, so the image and a dev machine
# cannot drift apart (test/unit/docker checks the image installs exactly
# scripts/system-packages.txt, plus tini). Build from the repository root:
#   docker build -f docker/render-worker.Dockerfile -t mastercut-render .

# --- Stage 1: production node_modules (no dev dependencies, no browser download:
# puppeteer-core drives the system chromium-headless-shell).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Stage 2: runtime.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PUPPETEER_SKIP_DOWNLOAD=1
COPY scripts/install-system-deps.sh scripts/system-packages.txt scripts/
RUN bash scripts/install-system-deps.sh \
 && apt-get install -y -qq --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY compositions/ compositions/
COPY workers/ workers/
# Bundles are built into the cache at start; give the worker a writable home for it.
RUN mkdir -p /app/.cache /data && chown node:node /app/.cache /data
# METRICS_PORT: /metrics, /healthz and /readyz of the worker (probes and Prometheus).
ENV MASTERCUT_CACHE_DIR=/app/.cache STORAGE_ROOT=/data METRICS_PORT=9464
# Non-root (uid 1000). Chromium's sandbox (RENDER_CHROMIUM_SANDBOX=auto) is then
# on wherever the container may create a user namespace; Docker's default
# seccomp profile forbids that, and the worker falls back to --no-sandbox and
# logs why. docker/README.md ("Chromium sandbox") says how to allow it and
# what contains the renderer otherwise.
USER node
EXPOSE 9464
# Liveness through Node's fetch (no curl in the image).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it reaps Chromium's zombie processes and forwards SIGTERM to
# Node only. Not `tini -g`: signalling the whole group would SIGTERM every
# Chromium at once and kill the render the worker is draining.
ENTRYPOINT ["tini", "--"]
CMD ["./bin/mastercut", "worker", "render"]
