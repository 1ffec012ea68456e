"""Web forms for documents (Flask-WTF: CSRF on every post, Vietnamese messages)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from eoffice.accounts.models import User
from eoffice.documents.models import SECRECY_LABELS, URGENCY_LABELS
from eoffice.documents.pickers import default_id, organisation_head, unit_head_of
from eoffice.timestamps import VIETNAM
from eoffice.web.dates import DayField
from formats.doctypes import DOCUMENT_TYPES

TYPE_CHOICES = [SelectChoice(code, name) for code, name in DOCUMENT_TYPES.items()]
URGENCY_CHOICES = [SelectChoice(int(level), label) for level, label in URGENCY_LABELS.items()]
SECRECY_CHOICES = [SelectChoice(int(level), label) for level, label in SECRECY_LABELS.items()]
REQUIRED = "Trường này là bắt buộc."
#: Marks a <select> for the searchable picker (static/js/picker.js, tom-select).
PICKER = {"data-picker": ""}


def end_of_day(day: date | None) -> datetime | None:
    """A deadline given as a date means the end of that day in Vietnam."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM)


class OutgoingForm(FlaskForm):
    subject = TextAreaField("Trích yếu nội dung", validators=[
        DataRequired(REQUIRED), Length(max=500, message="Trích yếu tối đa 500 ký tự.")])
    type_code = SelectField("Loại văn bản", choices=TYPE_CHOICES, default="")
    urgency = SelectField("Độ khẩn", coerce=int, choices=URGENCY_CHOICES, default=0)
    secrecy = SelectField("Độ mật", coerce=int, choices=SECRECY_CHOICES, default=0)
    is_legal_normative = BooleanField("Văn bản quy phạm pháp luật (vào sổ riêng theo loại)")
    reviewer_id = SelectField("Người kiểm tra nội dung (lãnh đạo đơn vị)", coerce=int,
                              render_kw=PICKER)
    checker_id = SelectField("Người kiểm tra thể thức", coerce=int, render_kw=PICKER)
    signer_id = SelectField("Người ký", coerce=int, render_kw=PICKER)
    authority = StringField("Thẩm quyền ký (TM., KT., TL., TUQ.)",
                            validators=[Optional(), Length(max=60)])
    to_places = TextAreaField("Nơi nhận (mỗi dòng một nơi)", validators=[Optional()])
    # Searchable pickers (static/js/picker.js) instead of Ctrl-click list boxes.
    recipient_unit_ids = SelectMultipleField("Đơn vị nhận trong cơ quan", coerce=int,
                                             render_kw=PICKER)
    recipient_user_ids = SelectMultipleField("Người nhận trong cơ quan", coerce=int,
                                             render_kw=PICKER)
    named_user_ids = SelectMultipleField("Người được xem (bắt buộc với văn bản mật)", coerce=int,
                                         render_kw=PICKER)
    due_date = DayField("Hạn xử lý", validators=[Optional()])
    file = FileField("Tệp dự thảo (DOCX hoặc PDF)")
    addressees = TextAreaField("Kính gửi (mỗi dòng một nơi, cho công văn)",
                               validators=[Optional()])
    body = TextAreaField("Hoặc soạn nội dung tại đây (hệ thống tạo văn bản đúng thể thức)",
                         validators=[Optional(), Length(max=100_000)])

    def propose_defaults(self, drafter: User) -> None:
        """A new draft goes to the drafter's unit head for content review and is signed by
        the organisation's head; both stay changeable. A posted form keeps its choices."""
        if self.is_submitted():
            return
        reviewer = default_id(unit_head_of(drafter), self.reviewer_id.choices)
        signer = default_id(organisation_head(drafter.organisation_id), self.signer_id.choices)
        if reviewer is not None:
            self.reviewer_id.data = reviewer
        if signer is not None:
            self.signer_id.data = signer


class IncomingForm(FlaskForm):
    organ_name = StringField("Cơ quan ban hành", validators=[
        DataRequired(REQUIRED), Length(max=255)])
    organ_id = StringField("Mã định danh cơ quan (OrganId)",
                           validators=[Optional(), Length(max=13)])
    code_number = IntegerField("Số", validators=[Optional(), NumberRange(min=1)])
    code_notation = StringField("Ký hiệu", validators=[Optional(), Length(max=50)])
    type_code = SelectField("Loại văn bản", choices=TYPE_CHOICES, default="")
    issued_date = DayField("Ngày tháng văn bản", validators=[Optional()])
    subject = TextAreaField("Trích yếu nội dung", validators=[
        DataRequired(REQUIRED), Length(max=500, message="Trích yếu tối đa 500 ký tự.")])
    signer_full_name = StringField("Người ký", validators=[Optional(), Length(max=120)])
    signer_position = StringField("Chức vụ người ký", validators=[Optional(), Length(max=120)])
    urgency = SelectField("Độ khẩn", coerce=int, choices=URGENCY_CHOICES, default=0)
    secrecy = SelectField("Độ mật", coerce=int, choices=SECRECY_CHOICES, default=0)
    due_date = DayField("Hạn giải quyết", validators=[Optional()])
    page_amount = IntegerField("Số trang", validators=[Optional(), NumberRange(min=1)])
    named_user_ids = SelectMultipleField("Người được xem (văn bản mật)", coerce=int,
                                         render_kw=PICKER)
    file = FileField("Tệp văn bản (PDF)",
                     validators=[FileRequired("Hãy chọn tệp văn bản.")])
    confirm_duplicate = BooleanField(
        "Tôi đã kiểm tra: vẫn vào sổ dù trùng số, ký hiệu và cơ quan ban hành")


class CaseFileForm(FlaskForm):
    code = StringField("Mã hồ sơ", validators=[DataRequired(REQUIRED), Length(max=50)])
    title = StringField("Tiêu đề hồ sơ", validators=[DataRequired(REQUIRED), Length(max=500)])
