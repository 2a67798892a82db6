# Transcode worker: ffmpeg + Node 20 on an NVIDIA CUDA runtime image (Ubuntu 24.04).
# It cuts channel deliverables from stored masters and renders nothing, so it has
# no Chromium. At start it encodes one real frame with each GPU path (NVENC,
# NVDEC + scale_cuda, VAAPI, QSV) and falls back to libx264 when none works, so
# the same image runs on GPU and CPU nodes (TRANSCODE_ENCODERS forces a path).
# Build from the repository root:
#   docker build -f docker/transcode-worker.Dockerfile -t mastercut-transcode .
# Run with an NVIDIA GPU (NVIDIA Container Toolkit):
#   docker run --gpus all -e REDIS_URL=redis://... mastercut-transcode
# Run with VAAPI (Intel/AMD): give it the render node and that node's group:
#   docker run --device /dev/dri --group-add "$(stat -c %g /dev/dri/renderD128)" ...
# --- Stage 1: production node_modules.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Stage 2: only its node binary is used (Ubuntu 24.04 ships Node 18).
FROM node:20-bookworm-slim AS node

# --- Stage 3: runtime on the CUDA base.
FROM nvidia/cuda:12.6.3-runtime-ubuntu24.04
WORKDIR /app
ENV NODE_ENV=production PUPPETEER_SKIP_DOWNLOAD=1 DEBIAN_FRONTEND=noninteractive
# The toolkit mounts the driver libraries ffmpeg loads for these capabilities:
# `video` is libnvcuvid (NVDEC) and libnvidia-encode (NVENC), `compute` is libcuda (scale_cuda, overlay_cuda).
ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,video,utility
# ffmpeg calls the driver API only, never this image's CUDA runtime, so the
# image's cuda>=12.6 check would refuse older drivers for nothing; the start-up
# probe reports an NVENC that needs a newer driver instead.
ENV NVIDIA_DISABLE_REQUIRE=1
# The packages of scripts/system-packages.txt (the list install-system-deps.sh and
# the other images use) except Chromium and redis-server, which only the render
# worker and the tests need; plus tini and the VAAPI drivers (build with
# --build-arg VAAPI_DRIVERS= to leave them out).
ARG VAAPI_DRIVERS="intel-media-va-driver mesa-va-drivers"
COPY scripts/system-packages.txt scripts/
RUN apt-get update -qq \
 && grep -vE '^\s*(#|$)' scripts/system-packages.txt | grep -vxE 'chromium-headless-shell|redis-server' \
  | xargs apt-get install -y -qq --no-install-recommends tini ${VAAPI_DRIVERS} \
 && rm -rf /var/lib/apt/lists/* \
 && ffmpeg -hide_banner -encoders | grep -q h264_nvenc
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY compositions/ compositions/
COPY workers/ workers/
# uid 1000 (`ubuntu` here) like the render image's `node` user, so both write the shared /data volume.
RUN mkdir -p /app/.cache /data && chown ubuntu:ubuntu /app/.cache /data
# METRICS_PORT: /metrics, /healthz and /readyz of the worker (probes and Prometheus).
ENV MASTERCUT_CACHE_DIR=/app/.cache STORAGE_ROOT=/data METRICS_PORT=9464
USER ubuntu
EXPOSE 9464
# Liveness through Node's fetch (no curl in the image). Encoder detection runs
# a one-frame encode per GPU path first, hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to Node only (not `-g`: ffmpeg children
# must finish the deliverable being drained) and reaps ffmpeg children.
ENTRYPOINT ["tini", "--"]
CMD ["./bin/mastercut", "worker", "transcode"]
