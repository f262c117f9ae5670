"""Suites that need PostgreSQL or Chromium: skipped with a how-to on a developer's machine,
required when CI=true (their absence then fails the run)."""

from __future__ import annotations

import os

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str, how_to_install: str) -> None:
    message = f"{what} is not available: {how_to_install}"
    if running_in_ci():
        pytest.fail(message + " (required because CI=true)", pytrace=False)
    pytest.skip(message)
