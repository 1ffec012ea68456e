"""Wrong-PIN counters and lock-out per signing key, shared by every process via the DB.

PINs themselves are never stored or logged: only the count of failures and the lock's end.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

import signing
from eoffice.extensions import db


class SigningPinState(db.Model):  # type: ignore[name-defined]
    """Wrong-PIN counter and lock-out per signing key, shared by every process via the DB."""

    __tablename__ = "signing_pin_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(80), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float] = mapped_column(Float, default=0.0)


class DbPinStore:
    """PIN failure counters in the database, written on their own connection.

    The counter must survive the rollback of the request that failed, otherwise a wrong PIN
    would never count; so it is committed at once, outside the caller's transaction.
    """

    def get(self, key_id: str) -> signing.PinState:
        with db.engine.connect() as connection:
            row = connection.execute(
                select(SigningPinState.failures, SigningPinState.locked_until)
                .where(SigningPinState.key_id == key_id)
            ).first()
        return signing.PinState(row.failures, row.locked_until) if row else signing.PinState()

    def put(self, key_id: str, state: signing.PinState) -> None:
        """Write the counter; a success on a clean counter writes nothing (the usual case),
        so signing needs no second writer next to the request's own transaction."""
        if state.failures == 0 and not state.locked_until:
            current = self.get(key_id)
            if current.failures == 0 and not current.locked_until:
                return
        dialect = db.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {"key_id": key_id, "failures": state.failures,
                  "locked_until": state.locked_until}
        statement = insert(SigningPinState).values(**values).on_conflict_do_update(
            index_elements=["key_id"],
            set_={"failures": state.failures, "locked_until": state.locked_until},
        )
        with db.engine.begin() as connection:
            connection.execute(statement)


def pin_guard() -> signing.PinGuard:
    return signing.PinGuard(DbPinStore(), max_failures=5, lock_seconds=300)
