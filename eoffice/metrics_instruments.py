"""The metrics counted inside a process, importable from anywhere (no project imports):
``eoffice.metrics`` serves them, modules observe them (``timed(TSA, use=...)``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUESTS = Counter("eoffice_http_requests_total", "HTTP requests served",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("eoffice_http_request_duration_seconds", "Time to answer a request",
                    ["method", "endpoint"], buckets=_SECONDS)
SIGNING = Histogram("eoffice_signing_seconds",
                    "From the request's start to the signature recorded, by act", ["action"],
                    buckets=_SECONDS)
TSA = Histogram("eoffice_tsa_seconds", "Time for the timestamp authority to answer", ["use"],
                buckets=_SECONDS)
LIVE_SOCKETS = Gauge("eoffice_live_sockets", "Socket.IO connections open, per process",
                     multiprocess_mode="livesum")


@contextmanager
def timed(histogram: Histogram, **labels: str) -> Iterator[None]:
    """Observe how long the block takes (failures included: a slow failure is still slow)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(**labels).observe(time.perf_counter() - started)
