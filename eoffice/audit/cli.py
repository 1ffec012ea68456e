"""``flask audit verify|anchor|export``: the audit trail's command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from eoffice.audit.anchors import ChainBroken, anchor_now, verify_anchors
from eoffice.audit.export import export
from eoffice.audit.service import record, verify_chain
from eoffice.extensions import db

audit_group = AppGroup("audit", help="The hash-chained audit trail.")


@audit_group.command("verify")
def verify_command() -> None:
    """Check every event's hash and link, then the TSA anchors; exit 1 naming what broke."""
    chain = verify_chain()
    click.echo(chain.describe())
    anchors = verify_anchors()
    click.echo(anchors.describe())
    db.session.remove()
    if not (chain.ok and anchors.ok):
        raise SystemExit(1)


@audit_group.command("anchor")
def anchor_command() -> None:
    """Have the timestamp authority timestamp the chain's head now."""
    try:
        anchor = anchor_now()
    except TimestampRequestError as error:  # an external TSA that does not answer
        db.session.rollback()
        click.echo(f"Không neo được: cơ quan cấp dấu thời gian không trả lời ({error}).",
                   err=True)
        raise SystemExit(1) from None
    except ChainBroken as error:
        db.session.rollback()
        click.echo(f"Không neo: chuỗi nhật ký không còn nguyên vẹn ({error}).", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    if anchor is None:
        click.echo("Không có sự kiện mới kể từ lần neo trước.")
        return
    click.echo(f"Đã neo sự kiện {anchor.event_id} ({anchor.event_hash[:16]}…) lúc "
               f"{anchor.anchored_at:%Y-%m-%d %H:%M:%S} UTC; bản sao: anchors/{anchor.file_name}")


@audit_group.command("export")
@click.option("--from", "first_day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day (YYYY-MM-DD, local time).")
@click.option("--to", "last_day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day, included (YYYY-MM-DD, local time).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(first_day: datetime, last_day: datetime, file: Path) -> None:
    """Write the events of a period as JSON lines with their hashes and anchors."""
    if last_day < first_day:
        raise click.BadParameter("--to is before --from")
    zone = current_app.config["EOFFICE_SETTINGS"].timezone
    with file.open("w", encoding="utf-8") as out:
        count = export(first_day.date(), last_day.date(), zone, out)
    record(None, "audit_exported", "audit", "events", file=str(file.resolve()),
                 first_day=first_day.date().isoformat(),
                 last_day=last_day.date().isoformat(), events=count)
    db.session.commit()
    click.echo(f"Đã xuất {count} sự kiện vào {file}.")
