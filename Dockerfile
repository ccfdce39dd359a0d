# syntax=docker/dockerfile:1
# Build stage: compile native addons and TypeScript, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: only what the server needs, run as the unprivileged `node` user.
FROM node:20-bookworm-slim
# Chromium renders JavaScript-built websites for the crawler; build with --build-arg CHROMIUM=no
# for a smaller image that crawls static HTML only.
ARG CHROMIUM=yes
RUN if [ "$CHROMIUM" = "yes" ]; then apt-get update \
 && apt-get install -y --no-install-recommends chromium \
 && rm -rf /var/lib/apt/lists/*; fi
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    PORT=3000 \
    CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY src/db/migrations ./src/db/migrations
# The dashboard's static files are served from src/web/public (no build step for them).
COPY src/web/public ./src/web/public
COPY knowledge ./knowledge
COPY prompts ./prompts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 directly so SIGTERM reaches the graceful shutdown.
CMD ["node", "dist/main.js"]
