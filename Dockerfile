# syntax=docker/dockerfile:1
# One image for every Storefront process: SERVICE=products|inventory|favorites|cart|bff picks the
# one it runs (deploy/docker/entrypoint.js). Build from the repository root:
#
#   docker build -t storefront:0.1.0 .
#   docker run -e SERVICE=products -e SERVICE_TOKEN=… -e DATABASE_URL=postgres://… storefront:0.1.0
#
# The runtime stage holds the compiled services, their migrations and production dependencies only,
# runs as an unprivileged numeric user, writes nothing outside /tmp (so it runs on a read-only root
# filesystem), and needs no network at start: migrations run from files in the image.

# Node.js 24 LTS on Debian 12, pinned to a minor release; update it deliberately.
ARG NODE_IMAGE=node:24.21-bookworm-slim

# Build: every workspace with its dev dependencies, compiled by `tsc -b`.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npm run build
# What the runtime needs, gathered with its paths: the workspace manifests (to install production
# dependencies), and of the services and libraries only their compiled code, migrations and pages.
RUN mkdir /manifests /out \
 && cp --parents package.json package-lock.json */package.json packages/*/package.json services/*/package.json tools/*/package.json /manifests/ \
 && cp -r --parents package.json packages/*/package.json packages/*/dist services/*/package.json services/*/dist services/*/migrations services/bff/web/static deploy/docker /out/ \
 && find /out -name '*.test.*' -delete

# Production dependencies only. Optional ones are left out: they are the embedded PostgreSQL
# binaries (60 MB), which a container never uses, since it always has a DATABASE_URL.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="storefront" \
      org.opencontainers.image.description="Storefront services and BFF; SERVICE picks the process" \
      org.opencontainers.image.licenses="MIT"
# tini as PID 1: forwards SIGTERM and SIGINT to node and reaps zombies. npm, npx, corepack and
# yarn go: nothing runs them at start, and what is absent cannot be misused.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 storefront \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin storefront
WORKDIR /app
# Files stay owned by root: the process can read its code but not change it.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
# Listen on every interface of the container. Off loopback the services refuse weak secrets and the
# BFF needs AUTH_MODE (docs/spec/api.md, "Who may do what"). NODE_COMPILE_CACHE stays unset: no
# compile cache is written, so nothing but /tmp ever needs to be writable.
ENV HOST=0.0.0.0
USER 10001:10001
EXPOSE 8000 8001 8002 8003 9000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/deploy/docker/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/deploy/docker/entrypoint.js"]
