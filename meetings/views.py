"""Meeting pages (filled in below)."""

from __future__ import annotations

from flask import Blueprint

from eoffice.web.my_work import WorkSection

bp = Blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates",
               static_folder="static", static_url_path="/static/meetings")


@bp.route("/")
def index() -> str:
    return ""


def my_work_section(user: object) -> WorkSection:
    return WorkSection("meetings", "Cuộc họp sắp tới", "Không có cuộc họp sắp tới.", [])
