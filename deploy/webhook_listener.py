#!/usr/bin/env python3
"""A webhook listener for Nông Sản Số that checks each request's signature, then prints the
event. Standard library only: copy it, or read `verify` as the example to follow.

    NONGSAN_WEBHOOK_SECRET=whsec_... python3 deploy/webhook_listener.py [--port 8765]

Nongsan-Signature is `t=<unix seconds>,v1=<hex>`, where the hex is
HMAC-SHA256(secret, "<t>.<raw body>"). Check it over the raw bytes (before parsing the JSON),
compare in constant time, and refuse a timestamp more than five minutes away from your clock:
a request captured on its way cannot be sent to you again later. Several v1 values may come
(while a secret is being replaced): any one that matches is enough. Drop an event whose
Nongsan-Event-Id you have already handled: a delivery may arrive more than once.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 300


def verify(secret: str, header: str, body: bytes, *, tolerance=TOLERANCE_SECONDS, now=None):
    """True when `header` (Nongsan-Signature) signs `body` with `secret`, recently enough."""
    timestamp, candidates = None, []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def handler_for(secret: str, seen: set[str]):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify(secret, self.headers.get("Nongsan-Signature", ""), body):
                self.send_response(400)
                self.end_headers()
                print("REFUSED: the signature does not verify", file=sys.stderr, flush=True)
                return
            event_id = self.headers.get("Nongsan-Event-Id", "")
            self.send_response(200)
            self.end_headers()
            if event_id in seen:
                return  # a repeat: already handled
            seen.add(event_id)
            event = json.loads(body)
            print(f"VERIFIED {event['type']} {event['id']}", flush=True)
            print(json.dumps(event["data"], ensure_ascii=False, indent=2), flush=True)

        def log_message(self, *args):
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # From the environment by default: a command line is visible to every user (`ps`).
    secret = os.environ.get("NONGSAN_WEBHOOK_SECRET")
    parser.add_argument(
        "--secret",
        default=secret,
        required=secret is None,
        help="the endpoint's whsec_… secret (better: NONGSAN_WEBHOOK_SECRET in the environment)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = HTTPServer((args.host, args.port), handler_for(args.secret, set()))
    print(f"Listening on http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
