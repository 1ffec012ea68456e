"""Home and "my work" pages, plus the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.web.my_work import sections_for

bp = Blueprint("web", __name__)


@bp.route("/")
def home() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.my_work"))
    return redirect(url_for("accounts.login"))


@bp.route("/my-work")
@login_required
def my_work() -> ResponseReturnValue:
    return render_template("web/my_work.html", sections=sections_for(current_user))
