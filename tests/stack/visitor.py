"""A visitor's HTTP client for the stack's tests: speaks to nginx only, over http.client, from
a chosen loopback address (127.0.0.2 is another client than 127.0.0.1 to nginx), keeps its
cookies, decompresses gzip, and fills in forms the way a browser sends them."""

from __future__ import annotations

import gzip
import http.client
import uuid
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes
    path: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Visitor:
    base_url: str
    address: str = "127.0.0.1"
    accept_language: str = "vi-VN,vi;q=0.9"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        decompress: bool = True,
    ) -> Answer:
        target = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(
            target.hostname, target.port, timeout=60, source_address=(self.address, 0)
        )
        sent = {"Accept-Language": self.accept_language, "Accept-Encoding": "gzip"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        self._keep_cookies(response.headers)
        if decompress and response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return Answer(response.status, response.headers, raw, path)

    def _keep_cookies(self, headers: Message) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and not morsel.value):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, *, follow: bool = True, **kwargs) -> Answer:
        answer = self.request("GET", path, **kwargs)
        while follow and answer.status in (301, 302, 303) and answer.header("Location"):
            answer = self.request("GET", _local(answer.path, answer.header("Location")))
        return answer

    def post(
        self,
        path: str,
        fields,
        *,
        files: dict[str, Upload] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """POST a form (urlencoded, or multipart with `files`), then follow a redirect."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if files:
            body, content_type = _multipart(pairs, files)
        else:
            body, content_type = urlencode(pairs).encode(), "application/x-www-form-urlencoded"
        sent = {"Content-Type": content_type, **(headers or {})}
        answer = self.request("POST", path, body=body, headers=sent)
        if answer.status in (302, 303) and answer.header("Location"):
            return self.get(_local(path, answer.header("Location")))
        return answer

    def submit(
        self,
        page: Answer,
        action: str,
        values: dict | None = None,
        *,
        files: dict | None = None,
        headers: dict | None = None,
    ) -> Answer:
        """Send the form of `page` whose action starts with `action`, as a browser would:
        its fields as the page fills them, `values` typed over them."""
        form_action, pairs = form_on(page.text, action, page.path)
        values = {name: str(value) for name, value in (values or {}).items()}
        kept = [(name, value) for name, value in pairs if name not in values]
        action_path = form_action.split("#")[0]
        return self.post(action_path, kept + list(values.items()), files=files, headers=headers)


def _local(current: str, location: str) -> str:
    parts = urlsplit(urljoin(current, location))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _multipart(pairs, files: dict[str, Upload]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in pairs:
        disposition = f'Content-Disposition: form-data; name="{name}"'
        chunks.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, upload in files.items():
        chunks.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{upload.filename}"\r\nContent-Type: {upload.content_type}\r\n\r\n'
            ).encode()
            + upload.data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class _Forms(HTMLParser):
    """Each form's action and the name/value pairs a browser would send (no button)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "form":
            self.forms.append((attributes.get("action", ""), []))
        elif not self.forms:
            return
        elif tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.forms[-1][1].append(
                (name, attributes.get("value", "on" if kind in ("checkbox", "radio") else ""))
            )
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes and not self._selected:
                self._selected = True
                self.forms[-1][1].append((self._select, value))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self.forms[-1][1].append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1][1].append((self._textarea, self._text))
            self._textarea = None


def form_on(html: str, action: str, path: str) -> tuple[str, list[tuple[str, str]]]:
    """The action and fields of the first form whose action starts with `action` (a form
    with no action posts to the page's own `path`)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, pairs in parser.forms:
        form_action = form_action or path
        if form_action.startswith(action):
            return form_action, pairs
    raise AssertionError(f"no form posting to {action}; forms: {[a for a, _ in parser.forms]}")
