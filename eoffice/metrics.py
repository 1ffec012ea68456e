"""Prometheus metrics at ``/metrics``: requests, jobs, conversions, signing and TSA times, mail
failures, live sockets and the audit chain's state.

Two kinds of figures. What happens inside a process (a request served, a TSA answer awaited,
a signature made) is counted where it happens, with prometheus-client's metrics; under gunicorn
with several processes, ``PROMETHEUS_MULTIPROC_DIR`` makes each process write them to a shared
folder and a scrape adds them up. What the database already knows (jobs by kind and state, hence
conversions and failed mails; the audit chain's tail and last anchor) is read at scrape time,
so every process reports the same truth and nothing is counted twice.

Served only to the internal network (loopback and private addresses): Prometheus scrapes the
processes directly, and through the public proxy the page is "not found".
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, abort, g, has_app_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from eoffice.audit.anchors import tail_state
from eoffice.audit.service import add_listener
from eoffice.extensions import db, socketio
from eoffice.jobs.models import Job
from eoffice.metrics_instruments import LATENCY, LIVE_SOCKETS, REQUESTS, SIGNING

#: Audit actions that mark a signature made in the request (see ``_signing_listener``).
SIGNING_ACTIONS = frozenset({"signed", "org_signed", "minutes_signed"})
#: Job kinds that are DOCX→PDF conversions, and the one that sends mail.
#: (drafts; printed registers; meeting minutes — named by string: eoffice never imports meetings)
CONVERSION_KINDS = frozenset({"convert_draft", "register_export", "minutes_pdf"})
MAIL_KIND = "mail"

_PRIVATE_NETWORKS = [ipaddress.ip_network(net) for net in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")]


class DatabaseFigures(Collector):
    """Figures read from the database at each scrape (the same in every process)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("eoffice_jobs", "Jobs by kind and state", labels=["kind", "state"])
        conversions = GaugeMetricFamily("eoffice_conversions", "DOCX→PDF conversion jobs by state",
                                        labels=["state"])
        by_state: dict[str, int] = {}
        mail_failed = GaugeMetricFamily("eoffice_mail_failures",
                                        "Mails given up after every retry (failed mail jobs)")
        failed_mails = 0
        rows = db.session.execute(select(Job.kind, Job.state, func.count())
                                  .group_by(Job.kind, Job.state)).all()
        for kind, state, count in rows:
            jobs.add_metric([kind, state], count)
            if kind in CONVERSION_KINDS:
                by_state[state] = by_state.get(state, 0) + count
            if kind == MAIL_KIND and state == "failed":
                failed_mails += count
        for state, count in sorted(by_state.items()):
            conversions.add_metric([state], count)
        mail_failed.add_metric([], failed_mails)
        yield jobs
        yield conversions
        yield mail_failed
        yield from _audit_figures()
        db.session.rollback()


def _audit_figures() -> Iterator[GaugeMetricFamily]:
    """The chain since the last anchor (``eoffice.audit.anchors.tail_state``)."""
    ok = GaugeMetricFamily("eoffice_audit_chain_ok",
                           "1 when the chain since the last anchor verifies, else 0")
    age = GaugeMetricFamily("eoffice_audit_last_anchor_age_seconds",
                            "Seconds since the chain's head was last timestamped")
    pending = GaugeMetricFamily("eoffice_audit_events_since_anchor",
                                "Events recorded after the last anchor")
    state = tail_state()
    pending.add_metric([], state.events)
    yield pending
    if state.anchor is not None:
        age.add_metric([], (datetime.now(UTC) - state.anchor.anchored_at).total_seconds())
        yield age
    if state.checked or not state.ok:  # a tail too long to walk at each scrape says nothing
        ok.add_metric([], 1 if state.ok else 0)
        yield ok


def _endpoint() -> str:
    # The route's name, never the raw path: ids in paths would make unbounded label values.
    return request.endpoint or "unmatched"


def _is_internal(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _PRIVATE_NETWORKS)


def _count_sockets() -> None:
    server = getattr(socketio, "server", None)
    sockets = getattr(getattr(server, "eio", None), "sockets", None)
    LIVE_SOCKETS.set(len(sockets) if sockets is not None else 0)


def scrape() -> bytes:
    """The exposition text: this process's (or, multiprocess, every process's) metrics and
    the database figures."""
    _count_sockets()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(DatabaseFigures())
        return generate_latest(registry)
    registry.register(DatabaseFigures())
    return generate_latest(REGISTRY) + generate_latest(registry)


def _signing_listener(event: Any) -> None:
    # Only acts inside a request are timed (a batch job has no request start).
    if event.action in SIGNING_ACTIONS and has_app_context() and "eoffice_started" in g:
        SIGNING.labels(action=event.action).observe(time.perf_counter() - g.eoffice_started)


def init_app(app: Flask) -> None:
    """Time every request, watch signing events, and serve ``/metrics``."""

    @app.before_request
    def _start_clock() -> None:
        g.eoffice_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("eoffice_started")
        if started is not None:
            endpoint = _endpoint()
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        _count_sockets()  # each process keeps its own figure fresh (summed across processes)
        return response

    add_listener(app, _signing_listener)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # A process that ends takes its open sockets with it (its "livesum" files say so).
        atexit.register(multiprocess.mark_process_dead, os.getpid())

    @app.get("/metrics")
    def metrics() -> Response:
        if not _is_internal(request.remote_addr):
            abort(404)
        return Response(scrape(), mimetype=CONTENT_TYPE_LATEST)
