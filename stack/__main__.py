"""`python -m stack` (`make stack`): start the stack, print its address, and stop everything
on Ctrl-C or SIGTERM, or as soon as one part stops (saying which)."""

from __future__ import annotations

import argparse
import signal
import sys

from stack.processes import StackError, tail
from stack.runner import Stack


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    stack = Stack(port=options.port)
    print(f"Starting the stack in {stack.folder}", flush=True)
    try:
        stack.start(say=lambda message: print("  " + message, flush=True))
        _print_ready(stack)
        stopped = stack.watch()
        print(f"\n{stopped.name} stopped; stopping the rest.", file=sys.stderr)
        if log := tail(stopped.log):
            print(log, file=sys.stderr)
        return 1
    except _Stop:
        print("\nStopping…", flush=True)
        return 0
    except StackError as error:
        print(f"The stack did not start: {error}", file=sys.stderr)
        return 1
    finally:
        # Ctrl-C pressed again while stopping must not leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for failure in stack.stop():
            print(f"Could not stop {failure}", file=sys.stderr)
        print("Stopped; temporary folder removed.", flush=True)


def _print_ready(stack: Stack) -> None:
    assert stack.s3 is not None
    print(
        f"\nNông Sản Số is running at {stack.url}/  (nginx)\n"
        f"  app instances: {', '.join(stack.app_urls)}  (gunicorn)\n"
        f"  PostgreSQL:    {stack.database_url}\n"
        f"  Redis:         {stack.redis_url}\n"
        f"  S3 (moto):     {stack.s3.endpoint_url}  bucket {stack.s3.bucket}\n"
        f"  logs:          {stack.logs} and {stack.folder / 'nginx'}\n"
        f"{stack.demo_accounts}\n"
        "Ctrl-C stops it all.",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
