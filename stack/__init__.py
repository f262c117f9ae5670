"""`make stack`: the production-like stack (nginx, two gunicorn app instances, a job worker,
PostgreSQL, Redis, an S3 server) on this machine, for trying it by hand and for tests/stack.

Not installed with the application, like bench/: run from the checkout (`python -m stack`).
"""
