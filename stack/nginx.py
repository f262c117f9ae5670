"""nginx for the stack: the site rendered from deploy/nginx/nongsan.conf.template, inside an
nginx.conf of its own whose pid, logs, temporary files and cache stay in the stack's folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "nongsan.conf.template"
BROTLI_SNIPPET = ROOT / "deploy" / "nginx" / "brotli.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
MIME_TYPES = Path("/etc/nginx/mime.types")
#: What the stack logs of each request: which app instance answered, and the cache's verdict.
ACCESS_LOG_FORMAT = (
    '\'$remote_addr [$time_local] "$request" $status $body_bytes_sent '
    "upstream=$upstream_addr cache=$upstream_cache_status'"
)


def find_nginx() -> str | None:
    if found := shutil.which("nginx"):
        return found
    return "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None


def render_site(
    listen: str, upstreams: list[str], static_root: Path | str, cache_path: Path | str
) -> str:
    """The template with its four placeholders filled (nginx's own $variables stay)."""
    return Template(TEMPLATE.read_text()).safe_substitute(
        NONGSAN_LISTEN=listen,
        NONGSAN_UPSTREAM_SERVERS=" ".join(f"server {address};" for address in upstreams),
        NONGSAN_STATIC_ROOT=str(static_root),
        NONGSAN_CACHE_PATH=str(cache_path),
    )


def write_config(folder: Path, port: int, upstreams: list[str], static_root: Path) -> Path:
    """nginx.conf (and the site it includes) in `folder`; returns the nginx.conf path."""
    site = folder / "nongsan.conf"
    site.write_text(render_site(f"127.0.0.1:{port}", upstreams, static_root, folder / "cache"))
    brotli = BROTLI_MODULE.exists()
    lines = [
        "# Written by `make stack` (stack/nginx.py); removed when the stack stops.",
        *([f"load_module {BROTLI_MODULE};"] if brotli else []),
        "daemon off;",
        "worker_processes 1;",
        f"pid {folder / 'nginx.pid'};",
        f"error_log {folder / 'error.log'} warn;",
        "events { worker_connections 512; }",
        "http {",
        f"    include {MIME_TYPES};" if MIME_TYPES.exists() else _mime_types(),
        "    default_type application/octet-stream;",
        "    sendfile on;",
        *(
            f"    {kind}_temp_path {folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
        f"    log_format stack {ACCESS_LOG_FORMAT};",
        f"    access_log {folder / 'access.log'} stack;",
        *([f"    include {BROTLI_SNIPPET};"] if brotli else []),
        f"    include {site};",
        "}",
    ]
    config = folder / "nginx.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


def _mime_types() -> str:
    """The types the site serves, where Debian's mime.types is missing."""
    return (
        "    types { text/html html; text/css css; application/javascript js; "
        "application/json json; image/svg+xml svg; image/webp webp; image/png png; "
        "application/pdf pdf; }"
    )


def command(nginx: str, folder: Path, config: Path) -> list[str]:
    # -e: errors before the configuration is read go to the stack's folder too, not /var/log.
    return [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")]
