"""Task forms (what the pages render; the acts' inputs are in ``eoffice.tasks.actions``).
Deadlines are typed as dd/mm/yyyy [hh:mm] in Vietnam time (``eoffice.web.dates``) and stored
in UTC."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eoffice.tasks.service import PRIORITIES
from eoffice.web.dates import MomentField


class AssignForm(FlaskForm):
    title = StringField("Tên công việc", validators=[DataRequired("Tên công việc là bắt buộc."),
                                                     Length(max=500)])
    description = TextAreaField("Nội dung, yêu cầu", validators=[Optional()])
    # Searchable pickers (static/js/picker.js) instead of Ctrl-click list boxes.
    assignee_ids = SelectMultipleField("Người thực hiện", coerce=int, validate_choice=False,
                                       render_kw={"data-picker": ""})
    unit_ids = SelectMultipleField("Đơn vị thực hiện", coerce=int, validate_choice=False,
                                   render_kw={"data-picker": ""})
    deadline = MomentField("Thời hạn", validators=[Optional()])
    working_days = IntegerField(
        "hoặc số ngày làm việc kể từ hôm nay", validators=[Optional(), NumberRange(1, 365)]
    )
    priority = SelectField(
        "Mức ưu tiên", choices=[SelectChoice(v, label) for v, label in PRIORITIES.items()],
        default="normal",
    )


class ProgressForm(FlaskForm):
    percent = IntegerField("Tỷ lệ hoàn thành (%)", validators=[
        InputRequired("Cần nhập tỷ lệ hoàn thành."), NumberRange(0, 100, "Từ 0 đến 100.")])
    note = TextAreaField("Ghi chú", validators=[Optional()])
    files = MultipleFileField("Tệp đính kèm")


class CompleteForm(FlaskForm):
    result = TextAreaField("Kết quả thực hiện", validators=[DataRequired("Cần nhập kết quả.")])
    files = MultipleFileField("Tệp kết quả")


class ExtensionForm(FlaskForm):
    new_deadline = MomentField("Thời hạn đề nghị",
                               validators=[InputRequired("Cần nhập thời hạn mới.")])
    reason = TextAreaField("Lý do", validators=[DataRequired("Cần nêu lý do.")])


class ReviewForm(FlaskForm):
    note = TextAreaField("Nhận xét", validators=[Optional()])
    rating = SelectField("Đánh giá chất lượng", choices=[
        SelectChoice("", "—"), SelectChoice("5", "5 — Xuất sắc"), SelectChoice("4", "4 — Tốt"),
        SelectChoice("3", "3 — Đạt"), SelectChoice("2", "2 — Chưa đạt"),
        SelectChoice("1", "1 — Kém")], default="")
