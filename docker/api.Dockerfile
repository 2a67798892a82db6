# HTTP API: validates, queues and serves outputs; it renders nothing, so it
# needs no Chromium or ffmpeg. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t mastercut-api .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY compositions/ compositions/
RUN mkdir -p /app/.cache /data && chown node:node /app/.cache /data
ENV MASTERCUT_CACHE_DIR=/app/.cache STORAGE_ROOT=/data
USER node
EXPOSE 8080
ENTRYPOINT ["tini", "--"]
CMD ["./bin/mastercut", "serve"]
