"""The nginx site's caching and forwarding rules against a stand-in app server that answers
what a test asks for, including answers the real application never gives (public and
setting a cookie): nginx's own guards must hold whatever the app says."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stack import nginx
from stack.ports import free_port
from stack.processes import ChildProcess, Service, wait_for_http
from tests.stack.visitor import Visitor
from tests.support.requirements import missing

PUBLIC = "public, max-age=60"
#: What the stand-in answers, by path: its Cache-Control, and a cookie it sets or not.
ANSWERS = {
    "/healthz": ("no-store", None),
    "/public": (PUBLIC, None),
    "/sets-cookie": (PUBLIC, "visitor=42; Path=/"),
    "/private": ("private, no-store", None),
    "/media/farms/ab.webp": ("public, max-age=31536000, immutable", None),
}


class _StandIn(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: Counter = Counter()
    headers_seen: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        type(self).hits[path] += 1
        type(self).headers_seen[path] = dict(self.headers)
        cache_control, cookie = ANSWERS.get(path, ("no-store", None))
        body = f"answer {self.hits[path]} for {path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache_control)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    program = nginx.find_nginx()
    if program is None:
        missing("nginx", "apt-get install nginx libnginx-mod-http-brotli-filter")
    # Not under pytest's own folder: nginx's workers (nobody, when we are root) must enter it.
    folder = Path(tempfile.mkdtemp(prefix="nongsan-nginx-test-"))
    folder.chmod(0o755)
    (folder / "public" / "static").mkdir(parents=True)
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    config = nginx.write_config(
        folder, port, [f"127.0.0.1:{upstream.server_port}"], folder / "public"
    )
    process = ChildProcess(
        nginx.command(program, folder, config), log=folder / "out.log", env={}, cwd=folder
    )
    service = Service("nginx", process.is_running, process.stop, folder / "error.log")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", service, seconds=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
        upstream.shutdown()
        upstream.server_close()
        shutil.rmtree(folder, ignore_errors=True)


def _statuses(site: str, path: str, times: int = 2, **visitor) -> list[str]:
    return [Visitor(site, **visitor).get(path).header("X-Cache-Status") for _ in range(times)]


def test_an_answer_marked_public_is_kept(site):
    before = _StandIn.hits["/public"]
    assert _statuses(site, "/public") == ["MISS", "HIT"]
    assert _StandIn.hits["/public"] == before + 1


def test_an_answer_that_sets_a_cookie_is_never_kept_even_if_marked_public(site):
    assert _statuses(site, "/sets-cookie", 3) == ["MISS", "MISS", "MISS"]


def test_a_private_answer_is_never_kept(site):
    assert _statuses(site, "/private") == ["MISS", "MISS"]


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_visitor_with_a_session_or_remember_cookie_bypasses_the_cache(site, cookie):
    path = f"/public?with={cookie}"
    before = _StandIn.hits["/public"]
    assert _statuses(site, path, cookies={cookie: "x"}) == ["BYPASS", "BYPASS"]
    # and never filled it: the next visitor without one still misses
    assert _statuses(site, path) == ["MISS", "HIT"]
    assert _StandIn.hits["/public"] == before + 3


def test_the_app_is_told_the_client_address_scheme_and_host(site):
    Visitor(site).get("/private", headers={"X-Forwarded-For": "203.0.113.9"})
    seen = _StandIn.headers_seen["/private"]
    # The forged entry stays first; the one nginx adds, the real client, is last: the one
    # TRUSTED_PROXIES=1 reads.
    assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["Host"] == site.removeprefix("http://")


@pytest.mark.parametrize(
    ("trusted_proxies", "scheme", "host"),
    [(1, "http", "__nginx__"), (2, "https", "nongsanso.vn")],
)
def test_the_scheme_and_host_a_proxy_in_front_said_reach_the_app_only_when_trusted(
    site, trusted_proxies, scheme, host
):
    """A load balancer that ends TLS says https: with TRUSTED_PROXIES=2 the app builds
    https:// links; with 1 (nginx alone in front) a visitor's forged header changes nothing."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    from werkzeug.test import EnvironBuilder

    Visitor(site).get(
        "/private",
        headers={
            "X-Forwarded-For": "198.51.100.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "nongsanso.vn",
        },
    )
    seen = _StandIn.headers_seen["/private"]
    assert seen["X-Forwarded-Proto"] == "https, http"
    environ = EnvironBuilder(path="/private", headers=seen).get_environ()
    as_the_app_sees_it = {}

    def app(environ, start_response):
        as_the_app_sees_it.update(environ)
        start_response("200 OK", [])
        return [b""]

    hops = trusted_proxies
    ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)(environ, lambda *args: None)
    assert as_the_app_sees_it["wsgi.url_scheme"] == scheme
    nginx_host = site.removeprefix("http://")
    assert as_the_app_sees_it["HTTP_HOST"] == host.replace("__nginx__", nginx_host)
    assert as_the_app_sees_it["REMOTE_ADDR"] == ("127.0.0.1" if hops == 1 else "198.51.100.7")


def test_public_photos_reach_the_app_without_the_visitors_cookies(site):
    Visitor(site, cookies={"session": "secret"}).get("/media/farms/ab.webp")
    assert "Cookie" not in _StandIn.headers_seen["/media/farms/ab.webp"]
    Visitor(site, cookies={"session": "secret"}).get("/private")
    assert _StandIn.headers_seen["/private"]["Cookie"] == "session=secret"
