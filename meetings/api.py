"""JSON API under /api/v1/meetings, with the same rules as the pages.

Every act on a meeting is a declared action (``meetings.actions``) and gets its route
``POST /api/v1/meetings/<meeting_id>/actions/<name>`` from there; here are the reads and the
creation, which has no meeting yet. Refusals are ``meetings.errors`` answered once for the app
(JSON with the status). ``meetings.init_app`` registers the blueprint and the ``Meeting``
schema of the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from pydantic import Field

from eoffice.actions import ActionInput
from eoffice.actions.parsing import parse_model
from eoffice.actions.routes import add_api_routes
from eoffice.api.openapi import documented, list_of, ref
from eoffice.extensions import db
from meetings import access, preparation
from meetings import actions as _declared  # noqa: F401  (the declarations)
from meetings.forms import from_local
from meetings.representation import meeting_json

bp = Blueprint("meetings_api", __name__, url_prefix="/api/v1")


class NewMeeting(ActionInput):
    """Every field of the page's form (``meetings.forms.MeetingForm``)."""

    title: str = Field(title="Tên cuộc họp", max_length=300)
    starts_at: datetime = Field(title="Bắt đầu", description="ISO 8601; không ghi múi giờ thì "
                                                             "là giờ Việt Nam")
    ends_at: datetime | None = Field(None, title="Kết thúc")
    location: str = Field("", title="Địa điểm", max_length=300,
                          description="Địa điểm hoặc đường dẫn họp trực tuyến: ít nhất một")
    online_url: str = Field("", title="Đường dẫn họp trực tuyến", max_length=500)
    chair_id: int = Field(title="Chủ trì")
    secretary_id: int = Field(title="Thư ký")
    member_ids: list[int] = Field(default_factory=list, title="Thành phần tham dự")
    guest_ids: list[int] = Field(default_factory=list, title="Khách mời")
    quorum_percent: int = Field(50, title="Tỷ lệ có mặt tối thiểu (%)",
                                description="Từ 1 đến 100")
    description: str = Field("", title="Nội dung, ghi chú")


@bp.get("/meetings")
@documented("Các cuộc họp của người dùng (được mời, tổ chức, chủ trì hoặc làm thư ký), "
            "mới nhất trước", list_of("Meeting"))
@login_required
def list_meetings() -> ResponseReturnValue:
    return jsonify(items=[meeting_json(m, current_user, full=False)
                          for m in access.meetings_for(current_user)])


@bp.get("/meetings/<int:meeting_id>")
@documented("Chi tiết cuộc họp: thành phần, phản hồi, chương trình và tài liệu",
            ref("Meeting"))
@login_required
def get_meeting(meeting_id: int) -> ResponseReturnValue:
    return jsonify(meeting_json(access.get_meeting(current_user, meeting_id), current_user))


@bp.post("/meetings")
@documented("Tạo cuộc họp (đang chuẩn bị); người tạo thêm chương trình, tài liệu rồi gửi "
            "giấy mời", ref("Meeting"), status=201, body=NewMeeting, errors=(403,))
@login_required
def create_meeting() -> ResponseReturnValue:
    data = parse_model(NewMeeting)
    starts_at = from_local(data.starts_at)
    assert starts_at is not None
    meeting = preparation.create_meeting(
        current_user, title=data.title, starts_at=starts_at,
        ends_at=from_local(data.ends_at), location=data.location, online_url=data.online_url,
        chair_id=data.chair_id, secretary_id=data.secretary_id, member_ids=data.member_ids,
        guest_ids=data.guest_ids, description=data.description,
        quorum_percent=data.quorum_percent,
    )
    db.session.commit()
    payload = meeting_json(meeting, current_user)
    payload["message"] = ("Đã tạo cuộc họp. Hãy thêm chương trình và tài liệu, rồi gửi "
                          "giấy mời.")
    return jsonify(payload), 201


# Every act on a meeting: its JSON route comes from its declaration.
add_api_routes(bp, "meetings")
