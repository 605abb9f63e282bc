# syntax=docker/dockerfile:1
# Ruche: one image, run as a non-root user, data under /var/lib/ruche.
#   docker build -t ruche .
#   docker run -p 8000:8000 -v ruche-data:/var/lib/ruche ruche     (SQLite, for a trial)
# For production use docker-compose.yml (PostgreSQL + Redis) and docs/deploy.md.

FROM python:3.11-slim

# No compiler or -dev package is installed: every compiled dependency
# (argon2-cffi-bindings, cffi, asyncpg, nh3, pydantic-core, greenlet, uvloop,
# httptools, watchfiles, websockets, PyYAML, MarkupSafe) ships manylinux wheels
# for CPython 3.11 on x86_64 and aarch64, so pip never builds from source here.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RUCHE_VAR_DIR=/var/lib/ruche

RUN groupadd --system ruche \
    && useradd --system --gid ruche --home-dir /var/lib/ruche --no-create-home \
       --shell /usr/sbin/nologin ruche \
    && install -d -o ruche -g ruche -m 0700 /var/lib/ruche

WORKDIR /app

# The app finds frontend/ (templates, static files, message catalogs) and
# migrations/ relative to its source tree (app/config.py: PROJECT_ROOT), and a
# regular install would copy only the `app` package into site-packages. So Ruche
# is installed *editable* from /app, and /app must stay in the image.
#
# Dependencies first, against a stub package, so that this layer is reused
# while only the source changes; the editable install maps `app` to /app/app,
# which the COPY below then fills. With the S3 extra, so that keeping files in a
# bucket is configuration only (RUCHE_FILE_STORE=s3, docs/files.md).
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install --no-cache-dir -e ".[s3]"

COPY . .

USER ruche
VOLUME ["/var/lib/ruche"]
EXPOSE 8000

# Liveness only (no database involved); /readyz tells whether the database is
# reachable and migrated. There is no curl in the slim image: use urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `ruche serve` upgrades the database to the latest schema, then serves.
# Behind a reverse proxy, add --forwarded-allow-ips (see docs/deploy.md).
CMD ["ruche", "serve", "--host", "0.0.0.0", "--port", "8000"]
