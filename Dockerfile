# Every image of spotify-pipeline, built from the repository root (the lockfile lives there), one target per
# deployable:  buildah bud --layers --target simulator -t simulator .   (or docker build --target simulator .)
# Each image holds the Node runtime, one bundled main.mjs of its deployable, and only the packages that cannot
# be bundled (native addons). Where no registry is reachable, pass an equivalent Node base image:
# scripts/install-components.sh node-base assembles one from Debian packages (docs/components.md).
ARG NODE_IMAGE=docker.io/library/node:26-bookworm-slim

# Every workspace's dependencies, for the bundler. Only manifests are copied, so a source edit keeps this layer.
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret (never written to a layer):
#   --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY services/shared/package.json services/shared/
COPY services/simulator/package.json services/simulator/
COPY services/spotify-poller/package.json services/spotify-poller/
COPY services/history-import/package.json services/history-import/
COPY services/lake-writer/package.json services/lake-writer/
COPY services/loader/package.json services/loader/
COPY services/insights/package.json services/insights/
COPY operator/package.json operator/
RUN --mount=type=cache,target=/root/.npm,sharing=locked --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY scripts/images/bundle.ts scripts/images/closure.ts scripts/images/
COPY services/shared/src services/shared/src

# One bundle stage per deployable: it copies only the sources that deployable is built from.
FROM deps AS operator-bundle
COPY operator/src operator/src
RUN npx tsx scripts/images/bundle.ts operator/src/main.ts /out

FROM deps AS simulator-bundle
COPY services/simulator/src services/simulator/src
RUN npx tsx scripts/images/bundle.ts services/simulator/src/cli.ts /out

FROM deps AS spotify-poller-bundle
COPY services/spotify-poller/src services/spotify-poller/src
RUN npx tsx scripts/images/bundle.ts services/spotify-poller/src/cli.ts /out

FROM deps AS history-import-bundle
COPY services/history-import/src services/history-import/src
RUN npx tsx scripts/images/bundle.ts services/history-import/src/cli.ts /out

FROM deps AS lake-writer-bundle
COPY services/lake-writer/src services/lake-writer/src
RUN npx tsx scripts/images/bundle.ts services/lake-writer/src/main.ts /out

FROM deps AS loader-bundle
COPY services/loader/src services/loader/src
RUN npx tsx scripts/images/bundle.ts services/loader/src/cli.ts /out \
    --external @duckdb/node-api --external snowflake-sdk

# The insights service and its dashboard: the server bundled like the others (DuckDB's addon and snowflake-sdk
# left out, as in the loader), the dashboard built by Vite into web/, which INSIGHTS_WEB_DIR points at.
FROM deps AS insights-bundle
COPY services/insights/src services/insights/src
# Vite's transform reads the dashboard's tsconfig (JSX settings), the one it extends and the ones it references.
COPY tsconfig.base.json ./
COPY services/insights/tsconfig.json services/insights/
COPY services/shared/tsconfig.json services/shared/
COPY harness/tsconfig.json harness/
COPY services/insights/web services/insights/web
RUN npx tsx scripts/images/bundle.ts services/insights/src/main.ts /out \
    --external @duckdb/node-api --external snowflake-sdk \
 && INSIGHTS_WEB_OUT=/out/web node node_modules/vite/bin/vite.js build \
    --config services/insights/web/vite.config.ts --logLevel warn

# What every deployable runs on: non-root, with a passwd entry (os.userInfo() throws without one), and nothing
# written to the image at run time (the operator and the chart set readOnlyRootFilesystem).
FROM ${NODE_IMAGE} AS runtime
RUN echo 'app:x:10001:10001:spotify-pipeline:/app:/usr/sbin/nologin' >>/etc/passwd \
 && echo 'app:x:10001:' >>/etc/group
ENV NODE_ENV=production
WORKDIR /app

FROM runtime AS operator
COPY --from=operator-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

FROM runtime AS simulator
COPY --from=simulator-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

FROM runtime AS spotify-poller
COPY --from=spotify-poller-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

FROM runtime AS history-import
COPY --from=history-import-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

FROM runtime AS lake-writer
COPY --from=lake-writer-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

FROM runtime AS insights
COPY --from=insights-bundle /out/ ./
ENV INSIGHTS_WEB_DIR=/app/web
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]

# The loader's `batch` command runs dbt after the load, so this image also carries dbt in a venv; dbt writes
# only under /tmp (an emptyDir in the CronJob). The versions are scripts/components.env's.
FROM runtime AS loader
ARG DBT_CORE_VERSION=1.10.23
ARG DBT_DUCKDB_VERSION=1.10.1
ARG DBT_POSTGRES_VERSION=1.10.2
ARG DUCKDB_VERSION=1.5.6
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && python3 -m venv /opt/dbt \
 && /opt/dbt/bin/pip install --disable-pip-version-check --quiet "dbt-core==$DBT_CORE_VERSION" \
    "dbt-duckdb==$DBT_DUCKDB_VERSION" "dbt-postgres==$DBT_POSTGRES_VERSION" "duckdb==$DUCKDB_VERSION" \
    "dbt-snowflake~=1.10.0"
ENV DBT_BIN=/opt/dbt/bin/dbt DBT_PROJECT_DIR=/app/dbt DBT_PROFILES_DIR=/app/dbt DBT_TARGET_PATH=/tmp/dbt-target \
    DBT_LOG_PATH=/tmp/dbt-logs DBT_SEND_ANONYMOUS_USAGE_STATS=false
COPY dbt ./dbt
COPY --from=loader-bundle /out/ ./
USER 10001:10001
ENTRYPOINT ["node", "main.mjs"]
CMD ["batch"]
