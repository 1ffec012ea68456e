"""Login and logout pages; "Chữ ký của tôi", where a signer uploads their signature image."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from eoffice import audit
from eoffice.accounts import sessions
from eoffice.accounts.forms import ImageUploadForm, LoginForm
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.accounts.service import SESSION_TOKEN_KEY, authenticate
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import object_store
from eoffice.signing_keys import images
from eoffice.timestamps import format_local
from eoffice.web.navigation import NavEntry, register_nav

bp = Blueprint("accounts", __name__)


def signs_with_image(user: User) -> bool:
    """Who signs with a visible signature of their own: leaders, meeting secretaries."""
    return has_role(user, Role.LEADER, Role.MEETING_SECRETARY)


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    register_nav(state.app, NavEntry("Chữ ký của tôi", "accounts.my_signature",
                                     visible=signs_with_image))


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


def png_response(stored: StoredFile | None) -> ResponseReturnValue:
    """A stored signature or seal image for a preview (bytes verified by the store)."""
    if stored is None:
        abort(404)
    response = Response(object_store().read_bytes(stored.sha256), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/account/signature", methods=["GET", "POST"])
@login_required
def my_signature() -> ResponseReturnValue:
    """"Chữ ký của tôi": the image the user's visible signatures show, and its upload."""
    form = ImageUploadForm()
    if form.validate_on_submit():
        # Read one byte past the limit: a larger file is refused without reading it all.
        data = form.image.data.stream.read(images.MAX_IMAGE_BYTES + 1)
        images.set_signature_image(current_user, data)  # a refusal comes back flashed
        db.session.commit()
        flash("Đã lưu ảnh chữ ký. Các văn bản bạn ký từ nay sẽ dùng ảnh này.", "success")
        return redirect(url_for("accounts.my_signature"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/signature.html", form=form, stored=images.signature_file(current_user),
        rules=images.SIGNATURE_RULES, max_kb=images.MAX_IMAGE_BYTES // 1024,
        signs=signs_with_image(current_user)), status


@bp.route("/account/signature/image.png")
@login_required
def my_signature_image() -> ResponseReturnValue:
    return png_response(images.signature_file(current_user))
