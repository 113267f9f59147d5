# syntax=docker/dockerfile:1
# One image for the API and the worker; the command picks the role:
#   classconnect-stats serve --host 0.0.0.0   (default: the HTTP API)
#   classconnect-stats worker                  (records events from the Redis stream)
#   classconnect-stats migrate                 (applies the SQL migrations, then exits)
# Build: docker build -t classconnect-stats:local .

ARG PYTHON_IMAGE=python:3.12-slim

# --- build: a virtual environment with the service and its dependencies ---------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Dependencies first, from pyproject.toml alone, so a source change reuses this layer.
# Every dependency ships binary wheels for linux x86_64 and aarch64: the slim image needs no compiler.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY entrypoints ./entrypoints
COPY README.md ./
# A regular (not editable) install: the packages and the SQL migrations go into site-packages.
RUN pip install --no-deps . \
    && classconnect-stats --help > /dev/null

# --- runtime: the venv only, as an unprivileged user ------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# A numeric UID/GID so that Kubernetes' runAsNonRoot can verify it without /etc/passwd lookups.
RUN groupadd --system --gid 10001 stats \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin stats

# The bytecode was compiled at install time; writing none at run time keeps a read-only root
# filesystem working.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATS_HOST=0.0.0.0 \
    STATS_PORT=8080

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
USER 10001:10001
EXPOSE 8080

# For the API; the worker and migrate containers serve no HTTP and switch it off (compose).
# python's urllib, because the slim image has no curl: an error or a non-2xx status exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('STATS_PORT', '8080') + '/stats/health', timeout=4)"]

# Exec form: the service is PID 1 and receives SIGTERM itself (graceful stop).
CMD ["classconnect-stats", "serve", "--host", "0.0.0.0"]
