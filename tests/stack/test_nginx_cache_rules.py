"""The nginx site's caching and forwarding rules against a stand-in app server that answers
what a test asks for, including answers the real application never gives (public and
setting a cookie): nginx's own guards must hold whatever the app says."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
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
        if path == "/static/site.css":  # the app says immutable for the current version only
            current = self.path.endswith("?v=current")
            cache_control = "public, max-age=31536000, immutable" if current else PUBLIC
        body = f"answer {self.hits[path]} for {path}".encode()
        status = 200
        if path.startswith("/failing/"):  # kept for a second, then the app is gone
            cache_control = "public, max-age=1"
            if path == "/failing/allows-stale":
                cache_control += ", stale-if-error=60"
            if self.hits[path] > 1:  # hang up without an answer, as a dead instance does
                self.close_connection = True
                return
        self.send_response(status)
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
    # 127.0.0.2 plays a load balancer in front of nginx (the template's optional include).
    (folder / "nongsan-front-proxy.conf").write_text("set_real_ip_from 127.0.0.2;\n")
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
    # What the visitor sent is replaced by the address nginx saw: the one TRUSTED_PROXIES=1 reads.
    assert seen["X-Forwarded-For"] == "127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["Host"] == site.removeprefix("http://")


FORGED = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


def _as_the_app_sees(path: str) -> dict:
    """The request the stand-in got, through werkzeug's ProxyFix as the app (TRUSTED_PROXIES=1)
    reads it."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    from werkzeug.test import EnvironBuilder

    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    environ = EnvironBuilder(path=path, headers=_StandIn.headers_seen[path]).get_environ()
    ProxyFix(app, x_for=1, x_proto=1, x_host=1)(environ, lambda *args: None)
    return seen


def test_a_visitors_forged_forwarding_headers_change_nothing(site):
    Visitor(site).get("/private", headers=FORGED)
    app_sees = _as_the_app_sees("/private")
    assert app_sees["REMOTE_ADDR"] == "127.0.0.1"
    assert app_sees["wsgi.url_scheme"] == "http"
    assert app_sees["HTTP_HOST"] == site.removeprefix("http://")


def test_behind_a_trusted_front_proxy_the_visitor_and_scheme_it_names_reach_the_app(site):
    # 127.0.0.2 is named in nongsan-front-proxy.conf (the fixture): a TLS-ending balancer.
    Visitor(site, address="127.0.0.2").get("/private", headers=FORGED)
    app_sees = _as_the_app_sees("/private")
    assert app_sees["REMOTE_ADDR"] == "198.51.100.7"
    assert app_sees["wsgi.url_scheme"] == "https"
    # The host is the one asked for, never a forwarded one.
    assert app_sees["HTTP_HOST"] == site.removeprefix("http://")


def test_nginx_limits_each_visitor_behind_the_front_proxy_not_the_proxy(site):
    """Through the front proxy, one visitor's flood is cut off, another's first page is not."""
    flood = Visitor(site, address="127.0.0.2")
    refused = False
    for _ in range(400):
        # A cached page: nginx answers it at once, faster than its 30 requests a second.
        answer = flood.get("/public?flood", headers={"X-Forwarded-For": "198.51.100.8"})
        if answer.status == 429:
            refused = True
            break
    assert refused
    other = Visitor(site, address="127.0.0.2").get(
        "/private", headers={"X-Forwarded-For": "198.51.100.9"}
    )
    assert other.status == 200


def test_a_made_up_static_version_is_answered_but_never_kept(site):
    # Otherwise random ?v= values would fill nginx's cache and push out every page and photo.
    assert _statuses(site, "/static/site.css?v=current") == ["MISS", "HIT"]
    assert _statuses(site, "/static/site.css?v=made-up", 3) == ["MISS", "MISS", "MISS"]


@pytest.mark.parametrize(
    ("path", "after_expiry"),
    [("/failing/plain", 503), ("/failing/allows-stale", 200)],
)
def test_a_page_goes_out_stale_while_the_app_fails_only_as_long_as_it_allows(
    site, path, after_expiry
):
    # A batch page from before a recall must not outlive an outage (app/http_cache.py says
    # stale-if-error=300); nginx answers 503 for an app that does not answer.
    assert Visitor(site).get(path).status == 200
    time.sleep(2.2)  # nginx counts whole seconds: max-age=1 may last until the second after next
    assert Visitor(site).get(path).status == after_expiry


def test_public_photos_reach_the_app_without_the_visitors_cookies(site):
    Visitor(site, cookies={"session": "secret"}).get("/media/farms/ab.webp")
    assert "Cookie" not in _StandIn.headers_seen["/media/farms/ab.webp"]
    Visitor(site, cookies={"session": "secret"}).get("/private")
    assert _StandIn.headers_seen["/private"]["Cookie"] == "session=secret"
