"""Meeting forms. Times are entered in Vietnam time and stored in UTC."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eoffice.accounts.models import User
from eoffice.documents.pickers import organisation_head
from eoffice.timestamps import VIETNAM
from eoffice.web.dates import MomentField

#: Marks a <select> for the searchable picker (static/js/picker.js, tom-select).
PICKER = {"data-picker": ""}


def from_local(value: datetime | None) -> datetime | None:
    """A time entered without a zone is Vietnam time (one with a zone keeps it)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=VIETNAM)


class MeetingForm(FlaskForm):
    title = StringField("Tên cuộc họp", validators=[
        DataRequired("Tên cuộc họp là bắt buộc."), Length(max=300)])
    # Typed as dd/mm/yyyy hh:mm in Vietnam time whatever the browser's language.
    starts_at = MomentField("Bắt đầu", day_alone=None,
                            validators=[InputRequired("Cần nhập thời gian bắt đầu.")])
    ends_at = MomentField("Kết thúc", day_alone=None, validators=[Optional()])
    location = StringField("Địa điểm", validators=[Optional(), Length(max=300)])
    online_url = StringField("Đường dẫn họp trực tuyến", validators=[Optional(), Length(max=500)])
    # Searchable pickers (static/js/picker.js) instead of Ctrl-click list boxes.
    chair_id = SelectField("Chủ trì", coerce=int, validate_choice=False, render_kw=PICKER)
    secretary_id = SelectField("Thư ký", coerce=int, validate_choice=False, render_kw=PICKER)
    member_ids = SelectMultipleField("Thành phần tham dự", coerce=int, validate_choice=False,
                                     render_kw=PICKER)
    guest_ids = SelectMultipleField("Khách mời", coerce=int, validate_choice=False,
                                    render_kw=PICKER)
    quorum_percent = IntegerField("Tỷ lệ có mặt tối thiểu (%)", default=50,
                                  validators=[NumberRange(1, 100, "Từ 1 đến 100.")])
    description = TextAreaField("Nội dung, ghi chú", validators=[Optional()])

    def propose_defaults(self, organiser: User) -> None:
        """A new meeting is chaired by the organisation's head, not by whoever sorts first
        (nor by the secretary); the organiser keeps the minutes unless they chair."""
        if self.is_submitted():
            return
        offered = {choice[0] if isinstance(choice, tuple) else choice.value
                   for choice in self.chair_id.choices or []}
        head = organisation_head(organiser.organisation_id)
        if head is not None and head.id in offered:
            self.chair_id.data = head.id
        if organiser.id in offered and (head is None or organiser.id != head.id):
            self.secretary_id.data = organiser.id


class AgendaForm(FlaskForm):
    title = StringField("Nội dung", validators=[DataRequired("Cần nhập nội dung."),
                                                Length(max=300)])
    duration_minutes = IntegerField("Thời lượng (phút)", default=15,
                                    validators=[NumberRange(1, 600, "Từ 1 đến 600 phút.")])
    presenter_id = SelectField("Người trình bày", coerce=int, validate_choice=False, default=0)
    restricted_to = SelectMultipleField("Chỉ những người này được xem tài liệu",
                                        coerce=int, validate_choice=False, render_kw=PICKER)


class DocumentForm(FlaskForm):
    title = StringField("Tên tài liệu", validators=[Optional(), Length(max=300)])
    file = FileField("Tệp PDF", validators=[FileRequired("Hãy chọn một tệp PDF.")])


class ExistingFileForm(FlaskForm):
    title = StringField("Tên tài liệu", validators=[Optional(), Length(max=300)])
    file_id = SelectField("Văn bản đã có", coerce=int, validate_choice=False)


class RespondForm(FlaskForm):
    answer = RadioField("Phản hồi", choices=[SelectChoice("accepted", "Tham dự"),
                                             SelectChoice("declined", "Không tham dự"),
                                             SelectChoice("delegated", "Cử người dự thay")],
                        validators=[DataRequired("Hãy chọn phản hồi.")])
    reason = StringField("Lý do", validators=[Optional(), Length(max=500)])
    deputy_id = SelectField("Người dự thay", coerce=int, validate_choice=False, default=0)


class SignForm(FlaskForm):
    pin = PasswordField("Mã PIN chữ ký số", validators=[DataRequired("Cần nhập mã PIN.")])


class ButtonForm(FlaskForm):
    """A button-only form: the CSRF token is all it carries."""
