"""In Chromium: the super-administrator creates a department under the province, fixes its
address, gives it an administrator, and that administrator manages their own organisation."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.services.live_server import serve

pytestmark = pytest.mark.browser


def _log_in(page: Any, base_url: str, username: str, password: str = "matkhau123") -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")


def test_super_admin_sets_up_an_organisation_in_chromium(app: Flask, demo: None,
                                                         browser: Any) -> None:
    with serve(app) as base_url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _log_in(page, base_url, "quantri")
        page.get_by_role("link", name="Cơ quan", exact=True).click()
        page.wait_for_url(f"{base_url}/admin/organisations")
        assert "Ủy ban nhân dân tỉnh Hòa Bình" in page.locator("#organisations").inner_text()
        page.get_by_role("link", name="Thêm cơ quan").click()
        page.get_by_label("Mã định danh (OrganId)").fill("000.01.00.H41")
        page.get_by_label("Tên cơ quan", exact=False).first.fill("Sở Tài chính tỉnh Hòa Bình")
        page.get_by_label("Tên viết tắt").fill("STC")
        page.get_by_label("Cơ quan cấp trên").select_option("000.00.00.H41")
        page.get_by_label("Địa chỉ").fill("Số 8 đường An Dương Vương")
        page.get_by_role("button", name="Tạo cơ quan").click()
        status = page.get_by_role("status")
        assert status.inner_text() == "Đã tạo cơ quan Sở Tài chính tỉnh Hòa Bình."
        assert page.get_by_role("heading", level=1).inner_text() == "Sở Tài chính tỉnh Hòa Bình"
        assert page.get_by_label("Cơ quan cấp trên").input_value() == "000.00.00.H41"

        page.get_by_label("Địa chỉ").fill("Số 8 đường An Dương Vương, phường Phương Lâm")
        page.get_by_role("button", name="Lưu thay đổi").click()
        assert page.get_by_role("status").inner_text() == "Đã lưu thông tin cơ quan."
        assert page.get_by_label("Địa chỉ").input_value().endswith("phường Phương Lâm")

        admin_form = page.locator("#admin-form")
        admin_form.get_by_label("Tên đăng nhập").fill("admin.stc")
        admin_form.get_by_label("Họ và tên").fill("Lương Văn Khải")
        admin_form.get_by_label("Mật khẩu").fill("mat-khau-dai-1")
        admin_form.get_by_role("button", name="Tạo tài khoản").click()
        assert page.get_by_role("status").inner_text() == "Đã tạo tài khoản quản trị cơ quan."
        assert "admin.stc" in page.locator("#organisation-admins").inner_text()
        page.get_by_role("link", name="Cơ quan", exact=True).click()
        rows = page.locator("#organisations tbody tr")
        assert rows.count() == 2
        assert "Sở Tài chính tỉnh Hòa Bình" in rows.nth(1).inner_text()  # under the province

        page.get_by_role("button", name="Đăng xuất").click()
        _log_in(page, base_url, "admin.stc", "mat-khau-dai-1")
        assert page.locator(".topbar .org").inner_text() == "Sở Tài chính tỉnh Hòa Bình"
        assert page.get_by_role("link", name="Cơ quan", exact=True).count() == 0
        page.get_by_role("link", name="Quản trị").click()
        users = page.locator("table").inner_text()
        assert "Lương Văn Khải" in users and "Trần Văn Hùng" not in users
        answer = page.goto(f"{base_url}/admin/organisations")
        assert answer is not None and answer.status == 403
        context.close()


def test_directory_import_and_search_in_chromium(app: Flask, demo: None, browser: Any,
                                                 tmp_path: Any) -> None:
    bad = tmp_path / "danhba-loi.csv"
    bad.write_text("OrganId,name,parent\n000.00.00.G12,Bộ Tài chính,\nG13,Bộ Công Thương,\n",
                   encoding="utf-8")
    good = tmp_path / "danhba.csv"
    good.write_bytes("OrganId,name,parent\n000.00.00.G12,Bộ Tài chính,\n"
                     "000.00.01.G12,Tổng cục Thuế,000.00.00.G12\n".encode("utf-8-sig"))
    with serve(app) as base_url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _log_in(page, base_url, "quantri")
        page.get_by_role("link", name="Danh bạ cơ quan").click()
        page.wait_for_url(f"{base_url}/directory")
        page.get_by_label("Tệp CSV").set_input_files(str(bad))
        page.get_by_role("button", name="Nhập danh bạ").click()
        alert = page.get_by_role("alert").inner_text()
        assert "dòng 3: mã định danh “G13” không đúng dạng" in alert
        assert "Bộ Tài chính" not in page.locator("#directory").inner_text()  # nothing written
        page.get_by_label("Tệp CSV").set_input_files(str(good))
        page.get_by_role("button", name="Nhập danh bạ").click()
        assert page.get_by_role("status").inner_text() == (
            "Đã nhập danh bạ: thêm 2, cập nhật 0, không đổi 0.")
        page.get_by_label("Tìm theo tên hoặc mã định danh").fill("tong cuc thue")
        page.get_by_role("button", name="Tìm", exact=True).click()
        rows = page.locator("#directory tbody tr")
        assert rows.count() == 1
        assert "Tổng cục Thuế" in rows.first.inner_text()
        assert "Ngoài hệ thống" in rows.first.inner_text()
        context.close()
