"""Forms for login, user administration and signature images (Flask-WTF: every form carries a
CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(), Length(max=200)])


class UserForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(), Length(max=80)])
    full_name = StringField("Họ và tên", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Thư điện tử", validators=[Optional(), Length(max=255)])
    password = PasswordField("Mật khẩu", validators=[Optional(), Length(max=200)])
    position_id = SelectField("Chức vụ", coerce=int, validators=[Optional()])
    roles = SelectMultipleField("Vai trò")
    unit_ids = SelectMultipleField("Đơn vị", coerce=int)
    head_of_unit_ids = SelectMultipleField("Phụ trách đơn vị", coerce=int)
    active = BooleanField("Đang hoạt động", default=True)


class UnitForm(FlaskForm):
    name = StringField("Tên đơn vị", validators=[DataRequired(), Length(max=255)])
    abbreviation = StringField("Ký hiệu", validators=[DataRequired(), Length(max=20)])
    parent_id = SelectField("Đơn vị cấp trên", coerce=int, validators=[Optional()])


class ImageUploadForm(FlaskForm):
    """A signature or seal image; what it must be is checked on its content by the service."""

    image = FileField("Tệp ảnh PNG nền trong suốt", validators=[FileRequired("Hãy chọn tệp ảnh.")])
