"""Signature and seal images: each signer uploads their own on "Chữ ký của tôi", an
organisation's administrator uploads its seal. Uploads are judged by their content (Pillow),
never by their name: a JPEG named .png, a file over 512 KB or 1200×600 px, an image without
a transparent background are refused, each with a sentence saying why."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from sqlalchemy import select

import signing
from eoffice.audit.models import Event
from eoffice.errors import Forbidden
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.signing_keys import images
from eoffice.signing_keys.images import SEAL_RULES, SIGNATURE_RULES, ImageRejected, checked_png
from tests.documents.conftest import user


def png(size: tuple[int, int] = (400, 160), *, mode: str = "RGBA",
        background: tuple[int, ...] = (0, 0, 0, 0)) -> bytes:
    """A blue stroke on ``background`` (transparent by default)."""
    image = Image.new(mode, size, background)
    ImageDraw.Draw(image).line([(10, size[1] - 20), (size[0] // 2, 15), (size[0] - 10, 40)],
                               fill=(20, 40, 170, 255)[: len(mode)], width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 160), (255, 255, 255)).save(out, "JPEG")
    return out.getvalue()


def refusal(data: bytes, rules: images.ImageRules = SIGNATURE_RULES) -> str:
    with pytest.raises(ImageRejected) as refused:
        checked_png(data, rules)
    return refused.value.message


# --------------------------------------------------------------------------- the checks
def test_a_transparent_png_is_accepted_and_stored_as_plain_rgba() -> None:
    palette = Image.open(io.BytesIO(png())).convert("P")  # a palette PNG with tRNS
    palette.info["transparency"] = 0
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", transparency=0)
    for data in (png(), buffer.getvalue()):
        out = Image.open(io.BytesIO(checked_png(data, SIGNATURE_RULES)))
        assert out.format == "PNG" and out.mode == "RGBA"
        assert out.getchannel("A").getextrema() == (0, 255)


def test_a_jpeg_named_png_is_refused_by_its_content() -> None:
    assert "phải là tệp PNG" in refusal(jpeg())
    assert "ảnh JPEG" in refusal(jpeg())


def test_what_is_not_an_image_is_refused() -> None:
    assert "không phải là ảnh" in refusal(b"%PDF-1.7\n" + b"0" * 2000)
    assert "bị hỏng" in refusal(png()[:200])
    assert "tệp rỗng" in refusal(b"")


def test_too_many_bytes_is_refused_before_it_is_decoded() -> None:
    noise = Image.frombytes("RGBA", (700, 500), random.Random(3).randbytes(700 * 500 * 4))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > images.MAX_IMAGE_BYTES
    assert "vượt quá 512 KB" in refusal(buffer.getvalue())


def test_too_many_pixels_is_refused() -> None:
    assert "quá lớn (1300×500" in refusal(png((1300, 500)))
    assert "quá lớn (800×700" in refusal(png((800, 700)))
    assert "quá nhỏ" in refusal(png((60, 20)))


def test_an_image_without_a_transparent_background_is_refused() -> None:
    """Refused, not accepted: on the page an opaque background prints as a white (or, from a
    scan, grey) rectangle over the paper and under the seal's overlap, and no program can
    tell paper from ink on a scan reliably; Decree 30 asks for a transparent PNG."""
    assert "nền trong suốt" in refusal(png(mode="RGB", background=(255, 255, 255)))
    assert "nền trong suốt" in refusal(png(background=(255, 255, 255, 255)))  # RGBA, opaque
    empty = io.BytesIO()
    Image.new("RGBA", (400, 160), (0, 0, 0, 0)).save(empty, "PNG")
    assert "gần như trống" in refusal(empty.getvalue())


def test_a_seal_must_be_round_enough() -> None:
    assert "gần vuông" in refusal(png((600, 300)), SEAL_RULES)
    checked_png(signing.demo_seal_png("Ủy ban nhân dân tỉnh Hòa Bình"), SEAL_RULES)


def test_the_demo_images_pass_the_checks_a_person_faces() -> None:
    for name in ("Trần Văn Hùng", "Lê Thị Hoa", "Vũ Ngọc Ánh"):
        checked_png(signing.demo_signature_png(name), SIGNATURE_RULES)
    assert signing.demo_signature_png("Lê Thị Hoa") == signing.demo_signature_png("Lê Thị Hoa")
    assert signing.demo_signature_png("Lê Thị Hoa") != signing.demo_signature_png("Trần Văn Hùng")


# --------------------------------------------------------------------------- the pages
def upload(client: FlaskClient, url: str, token: str, data: bytes, name: str) -> object:
    return client.post(url, data={"csrf_token": token, "image": (io.BytesIO(data), name)},
                       headers={"Referer": url}, content_type="multipart/form-data")


def test_my_signature_page_uploads_previews_and_replaces(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chutich")
    work = client.get("/my-work").get_data(as_text=True)
    assert "Chữ ký của tôi" in work and "/account/signature" in work  # in the top bar
    page = client.get("/account/signature")
    assert page.status_code == 200
    assert "Bạn chưa có ảnh chữ ký" in page.get_data(as_text=True)
    assert client.get("/account/signature/image.png").status_code == 404

    first = png()
    answer = upload(client, "/account/signature", token, first, "chu-ky.png")
    assert answer.status_code == 302
    shown = client.get("/account/signature").get_data(as_text=True)
    assert "Đã lưu ảnh chữ ký" in shown and "/account/signature/image.png" in shown
    preview = client.get("/account/signature/image.png")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert Image.open(io.BytesIO(preview.data)).size == (400, 160)

    second = png((500, 200))
    assert upload(client, "/account/signature", token, second, "moi.PNG").status_code == 302
    assert Image.open(io.BytesIO(client.get("/account/signature/image.png").data)).size == (
        500, 200)
    with app.app_context():
        leader = user("chutich")
        stored = images.signature_file(leader)
        assert stored is not None and stored.uploaded_by_id == leader.id
        assert stored.content_type == "image/png"
        assert Image.open(io.BytesIO(object_store().read_bytes(stored.sha256))).size == (
            500, 200)
        events = db.session.scalars(select(Event).where(
            Event.action == "signature_image_set")).all()
        assert len(events) == 2 and all(e.object_id == str(leader.id) for e in events)


@pytest.mark.parametrize("data, name, sentence", [
    (jpeg(), "chu-ky.png", "ảnh JPEG"),
    (png(mode="RGB", background=(255, 255, 255)), "chu-ky.png", "nền trong suốt"),
    (png((1201, 400)), "chu-ky.png", "quá lớn"),
])
def test_refused_uploads_change_nothing_and_say_why(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str], data: bytes, name: str,
    sentence: str,
) -> None:
    token = login_as("phochutich")
    answer = upload(client, "/account/signature", token, data, name)
    assert answer.status_code == 303
    assert sentence in client.get(answer.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert images.signature_file(user("phochutich")) is None


def test_a_big_upload_is_refused_without_being_read_whole(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chutich")
    answer = upload(client, "/account/signature", token, png() + b"\0" * (600 * 1024),
                    "chu-ky.png")
    assert answer.status_code == 303
    assert "vượt quá 512 KB" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_people_who_do_not_sign_see_no_menu_entry_but_may_open_the_page(
    client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    login_as("chuyenvien")
    assert "Chữ ký của tôi" not in client.get("/my-work").get_data(as_text=True)
    page = client.get("/account/signature").get_data(as_text=True)
    assert "không có vai trò ký văn bản" in page


def test_the_organisation_admin_uploads_the_seal_and_nobody_else(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("admin")
    assert "Con dấu" in client.get("/admin/users").get_data(as_text=True)
    assert "Cơ quan chưa có ảnh con dấu" in client.get("/admin/seal").get_data(as_text=True)
    seal = signing.demo_seal_png("Ủy ban nhân dân tỉnh Hòa Bình")
    assert upload(client, "/admin/seal", token, seal, "con-dau.png").status_code == 302
    preview = client.get("/admin/seal/image.png")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert Image.open(io.BytesIO(preview.data)).size == (600, 600)
    refused = upload(client, "/admin/seal", token, png((600, 240)), "con-dau.png")
    assert "gần vuông" in client.get(refused.headers["Location"]).get_data(as_text=True)

    other = app.test_client()
    from tests.conftest import login

    login(other, "vanthu")
    assert other.get("/admin/seal").status_code == 403
    assert other.get("/admin/seal/image.png").status_code == 403
    with app.app_context():
        organisation = user("admin").organisation
        stored = images.seal_file(organisation)
        assert stored is not None
        with pytest.raises(Forbidden):
            images.set_seal_image(user("vanthu"), organisation, seal)
