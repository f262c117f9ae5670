"""Servers that do not outlive the process that started them.

Each server runs in a session of its own (Ctrl-C reaches the stack alone, which stops them in
order); should the stack or the test session be killed outright, Linux sends each server
SIGTERM instead of leaving it running on its port. (Linux ties this to the thread that
started the server: start them from a thread that lives as long as they should. PostgreSQL
is started by pg_ctl, which detaches it, so it is not covered.)
"""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def server_process_options() -> dict:
    """subprocess.Popen options for a server the stack or a test starts and stops."""
    options: dict = {"start_new_session": True}
    if sys.platform.startswith("linux"):
        options["preexec_fn"] = _terminate_with_parent
    return options
