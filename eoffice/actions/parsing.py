"""From a request to an action's typed input, with refusals a person can read.

Pages post forms (text fields, repeated fields for lists, files); the API posts JSON or,
when a file goes with it, the same multipart form. Both end in the same pydantic model, so
the page and the API accept exactly the same fields. A field left empty in a form is "not
given" (its default applies). Validation errors become one Vietnamese sentence naming the
field by its label.
"""

from __future__ import annotations

import re
import typing
from datetime import date
from typing import Annotated, Any, TypeVar

from flask import request
from pydantic import BeforeValidator, ValidationError

from eoffice.actions.declaration import Action, ActionInput, _is_upload
from eoffice.errors import InvalidInput
from eoffice.web.dates import parse_day

M = TypeVar("M", bound=ActionInput)

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _vietnamese_date(value: Any) -> Any:
    """Accept dd/mm/yyyy (how dates are written here) beside ISO yyyy-mm-dd."""
    if isinstance(value, str):
        try:
            return parse_day(value)
        except ValueError:
            raise ValueError("not a date") from None
    return value


#: A calendar date from a form (dd/mm/yyyy or yyyy-mm-dd) or JSON (yyyy-mm-dd).
Day = Annotated[date, BeforeValidator(_vietnamese_date)]


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return True
    return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))


def raw_input(model: type[ActionInput]) -> dict[str, Any]:
    """The request's values for the model's fields, before validation."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput("Nội dung gửi lên phải là một đối tượng JSON.")
        return {k: v for k, v in body.items() if k in model.model_fields}
    raw: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if _is_upload(info.annotation) and _is_list(info.annotation):
            uploads = [u for u in request.files.getlist(name) if u.filename]
            if uploads:
                raw[name] = uploads
        elif _is_upload(info.annotation):
            upload = request.files.get(name)
            if upload is not None and upload.filename:
                raw[name] = upload
        elif _is_list(info.annotation):
            values = [v for v in request.form.getlist(name) if v.strip()]
            if values:
                raw[name] = values
        else:
            value = request.form.get(name)
            if value is not None and value.strip():
                raw[name] = value
    return raw


def parse_input(action: Action, path_values: dict[str, Any] | None = None) -> ActionInput:
    """The action's input from this request, or ``InvalidInput`` naming what is wrong."""
    return parse_model(action.input, path_values)


def parse_model(model: type[M], path_values: dict[str, Any] | None = None) -> M:
    """``model`` from this request (form, multipart or JSON), or ``InvalidInput``."""
    raw = raw_input(model)
    raw.update(path_values or {})
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise InvalidInput(explain(model, error)) from None


def explain(model: type[ActionInput], error: ValidationError) -> str:
    """The first problem, in Vietnamese, naming the field by its label."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    info = model.model_fields.get(name)
    label = (info.title if info and info.title else name) or "dữ liệu"
    kind = first["type"]
    if kind == "missing":
        return f"Thiếu “{label}”."
    if kind.startswith("int_"):
        return f"“{label}” phải là một số nguyên."
    if kind.startswith(("date_", "datetime_")):
        return f"“{label}” không phải là ngày hợp lệ (dd/mm/yyyy)."
    if kind == "string_too_long":
        return f"“{label}” dài quá {first.get('ctx', {}).get('max_length')} ký tự."
    if kind == "is_instance_of":
        return f"Hãy chọn tệp cho “{label}”."
    if kind in ("literal_error", "enum"):
        return f"“{label}” không nằm trong các giá trị cho phép."
    return f"“{label}” không hợp lệ."


__all__ = ["Day", "explain", "parse_input", "parse_model", "raw_input"]
