# syntax=docker/dockerfile:1
# Sapling's one image: gunicorn by default, and `flask worker` and `flask db upgrade` from the
# same build (docker-compose.yml runs all three). Operating it: docs/operations.md.
#
#   docker build -t sapling:local --build-arg SOURCE_URL=https://your.forge/sapling .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: every dependency installed from wheels into a virtualenv -----------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# Wheels only: Pillow, pillow-heif (with libheif inside), psycopg-binary, cryptography and the
# rest are all published as manylinux wheels, so nothing is compiled and the runtime image
# needs no compiler or -dev package. A package without a wheel fails the build here.
RUN /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements.txt \
 && /opt/venv/bin/pip check

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

# The public address of this version's source: the AGPL asks you to offer it to your users.
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="Sapling" \
      org.opencontainers.image.description="A privacy- and security-first photo-sharing web app." \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.opencontainers.image.source="${SOURCE_URL}"

ENV SAPLING_ENV=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:${PATH} \
    FLASK_APP=wsgi:app \
    MEDIA_ROOT=/var/lib/sapling/media \
    GUNICORN_BIND=0.0.0.0:8000
# Not set here: PROMETHEUS_MULTIPROC_DIR, which only gunicorn may have (a worker or a one-off
# command given it would write metric files there too). docker-compose.yml sets it for the
# app, on a tmpfs at /run/sapling/metrics that starts empty with every container start.

# Debian's ffmpeg transcodes uploaded videos in the worker (services/media/videos.py); without
# it the site takes photos only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so files on the media volume keep their owner across images and hosts.
# MEDIA_ROOT belongs to it: an empty named volume mounted there takes this owner.
RUN groupadd --system --gid 10001 sapling \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/sapling --no-create-home \
        --shell /usr/sbin/nologin sapling \
 && install -d -o 10001 -g 10001 -m 0755 /var/lib/sapling /var/lib/sapling/media \
 && install -d -o 10001 -g 10001 -m 0700 /run/sapling /run/sapling/metrics

COPY --from=builder /opt/venv /opt/venv

# Only what runs: the code stays owned by root, so the app cannot change itself.
WORKDIR /srv/sapling
COPY LICENSE wsgi.py ./
COPY app ./app
COPY migrations ./migrations
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
# The minified stylesheets and scripts pages link (app/static/dist/; no settings needed).
RUN python -m app.views.asset_build
# Bytecode compiled once here, since the running app never writes it (read-only code).
RUN python -m compileall -q app migrations wsgi.py

USER 10001:10001
EXPOSE 8000

# Liveness only (/healthz touches no dependency): a database outage must not restart the app.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
