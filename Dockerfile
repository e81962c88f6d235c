# feature-backfill as a container for scheduled backfills (see deploy/k8s/cronjob.yaml).
# Node 20 on Debian slim: @duckdb/node-api ships glibc binaries, so no Alpine.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# npm ci runs `prepare`, which compiles src/ into dist/ with the dev dependencies; they are pruned afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The feature project (config and modules) is the image's working directory; mount or COPY yours over it.
COPY features.config.json ./
COPY features ./features
USER node
# exec form: SIGTERM from Kubernetes reaches Node directly, which cancels the running statement and rolls back.
ENTRYPOINT ["node", "/app/bin/feature-backfill.js"]
CMD ["--help"]
