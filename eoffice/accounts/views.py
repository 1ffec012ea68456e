"""Login and logout pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from eoffice import audit
from eoffice.accounts import sessions
from eoffice.accounts.forms import LoginForm
from eoffice.accounts.service import SESSION_TOKEN_KEY, authenticate
from eoffice.extensions import db
from eoffice.timestamps import format_local

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would help phishing."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.my_work")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.my_work"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.username.data or "", form.password.data or "",
                              request.remote_addr or "")
        if result.user is not None:
            session.clear()  # a fresh session id on login: no session fixation
            session[SESSION_TOKEN_KEY] = sessions.open_session(
                result.user.id, request.user_agent.string)
            db.session.commit()
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_until is not None:
            flash(
                "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
                f"{format_local(result.locked_until)}.",
                "error",
            )
            status = 429
        else:
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    audit.record(current_user, "logout", "user", current_user.id)
    sessions.end_session(session.get(SESSION_TOKEN_KEY))  # a copied cookie stops working
    db.session.commit()
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("accounts.login"))
