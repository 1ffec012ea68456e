"""Anchoring the audit chain: the TSA timestamps its head, and verification checks against it.

The hash chain alone shows an edit only to someone who kept an old hash: a database
administrator can rewrite the tail and recompute every hash after it, and the chain verifies
again. An anchor is an RFC 3161 token from the timestamp authority over "event N has hash H";
the TSA's signature cannot be recomputed, so a rewrite of anything up to N shows as a mismatch
with the anchor, and `verify` names the first event after the last anchor that still matches.
Anchors live in the database and as files under ``anchors/`` in the object store.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms
from flask import current_app
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from eoffice.audit import anchor_files
from eoffice.audit.models import AuditAnchor, Event
from eoffice.audit.service import GENESIS, event_hash, verify_chain
from eoffice.extensions import db
from eoffice.metrics_instruments import TSA, timed
from eoffice.signing_keys.pki import demo_pki
from eoffice.signing_keys.trust import configured_roots, timestamp_authority
from eoffice.timestamps import utcnow
from signing.pki import to_asn1_cert

DEMO_TSA = "demo"
#: Events after the last anchor checked at once (hourly anchors keep the tail far shorter).
MAX_TAIL = 20_000


class ChainBroken(RuntimeError):
    """The chain does not verify: anchoring its head would vouch for a forged history."""


@dataclass(frozen=True)
class TailState:
    """The chain after its last anchor."""

    ok: bool
    events: int
    anchor: AuditAnchor | None
    checked: bool  # False: too many events to walk now (only the anchor itself was compared)


def tail_state(limit: int = MAX_TAIL) -> TailState:
    """Whether the last anchored event still has its hash and every later event links and
    hashes right; cheap, because anchors come every hour."""
    anchor = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.event_id.desc())
                                .limit(1)).scalar()
    after = anchor.event_id if anchor else 0
    ok = anchor is None or db.session.execute(
        select(Event.hash).where(Event.id == after)).scalar() == anchor.event_hash
    count = db.session.execute(select(func.count()).where(Event.id > after)).scalar() or 0
    if count > limit:
        return TailState(ok, count, anchor, checked=False)
    expected = anchor.event_hash if anchor else GENESIS
    for row in db.session.execute(select(Event).where(Event.id > after).order_by(Event.id)
                                  .execution_options(yield_per=1000)).scalars():
        recomputed = event_hash(row.prev_hash, row.occurred_at, row.actor_id, row.action,
                                row.object_kind, row.object_id, row.details, row.actor_name,
                                row.actor_title)
        ok = ok and row.prev_hash == expected and recomputed == row.hash
        expected = row.hash
    return TailState(ok, count, anchor, checked=True)


def statement(event_id: int, event_hash: str) -> bytes:
    """What the TSA is asked to timestamp (its SHA-256 is the token's message imprint)."""
    return f"eoffice audit chain: event {event_id} has hash {event_hash}".encode()


def _tsa() -> tuple[str, TimeStamper]:
    url, stamper = timestamp_authority()  # the same TSA as the signatures'
    return url or DEMO_TSA, stamper


def _trust(tsa: str) -> ValidationContext:
    """Whose signature a token must carry: the demo PKI's TSA, or (an external TSA) one that
    chains to the roots the installation trusts for signatures (``EOFFICE_TRUST_ROOTS``),
    or to the system's trusted roots when none are configured."""
    if tsa == DEMO_TSA:
        return demo_pki().validation_context()
    roots = [to_asn1_cert(root) for root in configured_roots()]
    return ValidationContext(allow_fetching=False, trust_roots=roots or None)


def anchor_now() -> AuditAnchor | None:
    """Timestamp the chain's current head; None when there is nothing new to anchor.

    The caller commits. The file under ``anchors/`` is written first: if the row then fails,
    an extra file names a head that is really there, which verification accepts.
    """
    head = db.session.execute(
        select(Event.id, Event.hash).order_by(Event.id.desc()).limit(1)).first()
    if head is None:
        return None
    last = db.session.execute(
        select(AuditAnchor.event_id).order_by(AuditAnchor.event_id.desc()).limit(1)).scalar()
    if last == head.id:
        return None
    state = tail_state()
    if not state.checked:  # a first anchor over a long history: walk all of it, once
        report = verify_chain()
        state = TailState(report.ok, state.events, state.anchor, checked=True)
    if not state.ok:
        raise ChainBroken("the audit chain does not verify (run `audit verify`); its head is "
                          "not anchored")
    tsa, stamper = _tsa()
    digest = hashlib.sha256(statement(head.id, head.hash)).digest()
    with timed(TSA, use="audit_anchor"):
        token: cms.ContentInfo = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    anchored_at = utcnow()
    anchor = AuditAnchor(event_id=head.id, event_hash=head.hash, anchored_at=anchored_at,
                         tsa=tsa, token=token.dump(),
                         file_name=f"{anchored_at:%Y%m%dT%H%M%S%fZ}-event-{head.id}.json")
    anchor_files.write(current_app.extensions["eoffice.object_store"], anchor.file_name,
                       anchor_file(anchor))
    db.session.add(anchor)
    db.session.flush()
    return anchor


def anchor_file(anchor: AuditAnchor) -> bytes:
    """The anchor as a self-contained JSON file (an inspector needs nothing else)."""
    return json.dumps({
        "event_id": anchor.event_id, "event_hash": anchor.event_hash,
        "anchored_at": anchor.anchored_at.isoformat(), "tsa": anchor.tsa,
        "statement": statement(anchor.event_id, anchor.event_hash).decode(),
        "token": base64.b64encode(anchor.token).decode(),
    }, ensure_ascii=False, indent=1).encode()


@dataclass(frozen=True)
class _Anchor:
    event_id: int
    event_hash: str
    tsa: str
    token: bytes
    where: str  # "row 3", "file anchors/…json"
    has_row: bool = True


@dataclass
class AnchorReport:
    """What the anchors say about the chain."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)
    last_good_event_id: int | None = None
    last_good_time: datetime | None = None
    first_suspect_event_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            upto = (f", latest anchored event {self.last_good_event_id} at "
                    f"{self.last_good_time:%Y-%m-%d %H:%M:%S} UTC"
                    if self.last_good_time else "")
            return f"OK: {self.checked} anchors match the chain{upto}"
        lines = [f"ANCHORS BROKEN: {problem}" for problem in self.problems]
        if self.first_suspect_event_id is not None:
            after = (f"the last good anchor (event {self.last_good_event_id})"
                     if self.last_good_event_id is not None else "the start of the chain")
            lines.append(f"history rewritten: first event after {after} is event "
                         f"{self.first_suspect_event_id}")
        return "\n".join(lines)


def _collect() -> list[_Anchor]:
    """Anchors from the rows and from the files; a file whose row is gone is kept (marked)."""
    found: dict[tuple[int, str, bytes], _Anchor] = {}
    for row in db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id)).scalars():
        found[(row.event_id, row.event_hash, row.token)] = _Anchor(
            row.event_id, row.event_hash, row.tsa, row.token, f"row {row.id}")
    db.session.rollback()
    unreadable = []
    for name, content in anchor_files.read_all(current_app.extensions["eoffice.object_store"]):
        try:
            data = json.loads(content)
            key = (int(data["event_id"]), str(data["event_hash"]),
                   base64.b64decode(data["token"], validate=True))
            tsa = str(data["tsa"])
        except (ValueError, KeyError, TypeError):
            unreadable.append(_Anchor(-1, "", "", b"", f"file anchors/{name}", has_row=False))
            continue
        if key not in found:
            found[key] = _Anchor(*key[:2], tsa, key[2], f"file anchors/{name}", has_row=False)
    return unreadable + sorted(found.values(), key=lambda anchor: anchor.event_id)


def _token_problem(anchor: _Anchor) -> tuple[str | None, datetime | None]:
    """Why the token does not vouch for the anchor's statement (None when it does)."""
    if anchor.event_id < 0:
        return "unreadable anchor file", None
    expected = statement(anchor.event_id, anchor.event_hash)
    def imprint(algorithm: str) -> bytes:
        return hashlib.new(algorithm, expected).digest()
    try:
        signed_data = cms.ContentInfo.load(anchor.token)["content"]
        status: Any = asyncio.run(
            validate_tst_signed_data(signed_data, _trust(anchor.tsa), imprint))
    except Exception as error:  # any malformed token is simply not a valid anchor
        return f"token cannot be checked ({type(error).__name__})", None
    if not status["intact"]:
        return "token does not cover this event and hash", None
    if not status["valid"] or status.get("trust_problem_indic") is not None:
        return "token is not signed by the trusted timestamp authority", None
    return None, status["timestamp"]


def verify_anchors() -> AnchorReport:
    """Check each anchor's token, then that the event it names still has the hash it had."""
    report = AnchorReport()
    hashes = dict(db.session.execute(select(Event.id, Event.hash)).tuples().all())
    db.session.rollback()
    first_mismatch: int | None = None
    good: list[tuple[int, datetime]] = []
    for anchor in _collect():
        report.checked += 1
        problem, stamped_at = _token_problem(anchor)
        if problem:
            report.problems.append(f"{anchor.where} (event {anchor.event_id}): {problem}")
            continue
        assert stamped_at is not None
        if not anchor.has_row:
            report.problems.append(f"{anchor.where}: its database row is gone")
        current = hashes.get(anchor.event_id)
        if current != anchor.event_hash:
            what = "is gone" if current is None else "no longer has the hash timestamped"
            report.problems.append(f"event {anchor.event_id} {what} at "
                                   f"{stamped_at:%Y-%m-%d %H:%M:%S} UTC ({anchor.where})")
            first_mismatch = min(first_mismatch or anchor.event_id, anchor.event_id)
        else:
            good.append((anchor.event_id, stamped_at))
    if first_mismatch is not None:
        before = [entry for entry in good if entry[0] < first_mismatch]
        if before:
            report.last_good_event_id, report.last_good_time = max(before)
        after = report.last_good_event_id or 0
        report.first_suspect_event_id = min(
            (event_id for event_id in hashes if event_id > after), default=after + 1)
    elif good:
        report.last_good_event_id, report.last_good_time = max(good)
    return report
