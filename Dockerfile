# syntax=docker/dockerfile:1
# Nông Sản Số: one image for the web servers, the job worker and the migrations, plus an
# nginx image carrying the same version's static files (compose.yaml builds both).
#   docker build -t nongsan .                    # the application (the default, last stage)
#   docker build --target nginx -t nongsan-nginx .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.28-bookworm

# --- build: compile the catalogues, build the wheel, install it into a virtualenv -----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/nongsan/venv
WORKDIR /src
COPY . .
# The compiled .mo files are build output (not in git); they must be in the wheel.
RUN /opt/nongsan/venv/bin/pip install "Babel>=2.14,<3" \
 && /opt/nongsan/venv/bin/pybabel compile -d app/translations \
 && /opt/nongsan/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/nongsan/venv/bin/pip install /wheels/nongsan_so-*.whl

# --- nginx: the official image with this version's static files ------------------------------
# compose.yaml mounts deploy/nginx/nongsan.conf.template into /etc/nginx/templates/, which the
# image's entrypoint renders with envsubst; static files are served from /srv/nongsan/static.
FROM ${NGINX_IMAGE} AS nginx
# The stock default server would answer port 80 before ours.
RUN rm -f /etc/nginx/conf.d/default.conf
COPY --from=build /src/app/static /srv/nongsan/static

# --- runtime: the virtualenv and the migrations, run as an unprivileged user -----------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system nongsan \
 && useradd --system --gid nongsan --home-dir /var/lib/nongsan --shell /usr/sbin/nologin nongsan \
 && install -d -o nongsan -g nongsan -m 0750 /var/lib/nongsan
COPY --from=build /opt/nongsan/venv /opt/nongsan/venv
# Not part of the wheel: `nongsan db upgrade --directory /opt/nongsan/migrations` reads them.
COPY migrations /opt/nongsan/migrations
# PDFs embed DejaVu Sans from the package (app/fonts), so no system font package is needed.
ENV PATH=/opt/nongsan/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NONGSAN_ENV=production \
    NONGSAN_INSTANCE_PATH=/var/lib/nongsan
USER nongsan
WORKDIR /var/lib/nongsan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# gunicorn (app/gunicorn_config.py) only; the worker is `nongsan worker` in its own container
# and the migrations `nongsan db upgrade --directory /opt/nongsan/migrations`, same image.
CMD ["nongsan", "run", "--no-worker", "--host", "0.0.0.0", "--port", "8000"]
