"""The demo marketplace: people, farms, products, batches and orders made through the services.

Installed like a domain (DOMAIN_PACKAGES in app/config.py) so that `nongsan seed-demo` exists;
it may import every domain, and nothing imports it.
"""

from __future__ import annotations

from flask import Flask

from demo.cli import seed_demo_command


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
