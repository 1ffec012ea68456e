"""CPU-bound steps of a request run off the event loop.

Under gevent (``make run``, production's gevent workers) a greenlet that computes for 100 ms
holds up every other request of its process, the health check included: fifty clerks numbering
at once made a health check wait for twenty-five PDF rewrites in a row (1.7 s measured on two
cores). Such steps run in a small pool of native threads instead; the loop keeps serving while
they compute, because the GIL is handed over every few milliseconds.

Only pure steps go there — bytes in, bytes out, no database session, no Flask context, no
network — since those belong to the request's greenlet. Without gevent (the threading test
mode, the CLI) the step simply runs in place.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_pool: Any = None


def _gevent_pool() -> Any:
    """The process's pool of native threads, or None when gevent does not drive the process."""
    global _pool
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a runtime dependency
        return None
    if not monkey.is_module_patched("threading"):
        return None
    if _pool is None:
        from gevent.threadpool import ThreadPool

        # As many threads as cores: more would only queue on the GIL.
        _pool = ThreadPool(maxsize=max(2, os.cpu_count() or 2))
    return _pool


def run_off_loop(step: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a pure CPU-bound ``step`` where it does not hold up the event loop; return its
    result or raise its exception, exactly as calling it would."""
    pool = _gevent_pool()
    if pool is None:
        return step(*args, **kwargs)
    return pool.apply(step, args, kwargs)  # type: ignore[no-any-return]
