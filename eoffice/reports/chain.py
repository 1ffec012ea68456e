"""Whether the audit chain behind a report verifies, stated on every report.

Verifying walks every event, so the result is kept for a short while per process and recomputed
when newer events exist; the report shows when the check ran.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from eoffice.audit import ChainReport, verify_chain
from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.timestamps import utcnow

MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    checked: int
    checked_at: datetime
    description: str

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "checked_at": self.checked_at.isoformat(),
                "description": self.description}


def _in_vietnamese(report: ChainReport) -> str:
    """What the check found, as a reader of the report (or its export) reads it."""
    if report.ok:
        return f"Toàn vẹn: đã kiểm tra {report.checked} sự kiện"
    why = ("liên kết với sự kiện trước không khớp" if "previous" in report.reason
           else "nội dung không khớp với mã băm")
    return (f"Không toàn vẹn: sự kiện thứ {report.checked + 1} trong chuỗi bị sửa ({why}); "
            f"đã kiểm tra {report.checked} sự kiện trước đó")


_lock = threading.Lock()
_cache: dict[tuple[str, int], ChainStatus] = {}


def chain_status(max_age: timedelta = MAX_AGE) -> ChainStatus:
    bind = db.session.get_bind()
    last_id = db.session.execute(select(func.max(Event.id))).scalar() or 0
    key = (str(bind.url), last_id)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and utcnow() - cached.checked_at < max_age:
            return cached
    report = verify_chain()
    status = ChainStatus(report.ok, report.checked, utcnow(), _in_vietnamese(report))
    with _lock:
        _cache.clear()
        _cache[key] = status
    return status
