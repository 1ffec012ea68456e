"""Realistic drafts shared by the format tests."""

from __future__ import annotations

import dataclasses

from formats.drafting import DraftSpec, Signer

DECISION = DraftSpec(
    parent_body="",
    issuing_body="Ủy ban nhân dân\ntỉnh Hòa Bình",  # the clerk breaks the name where it belongs
    notation="QĐ-UBND",
    place="Hòa Bình",
    type_name="Quyết định",
    subject="Về việc ban hành Quy chế công tác văn thư",
    body=(
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác"
        " văn thư;",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư của Ủy ban nhân dân"
        " tỉnh Hòa Bình.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    ),
    signer=Signer(title="Phó Chủ tịch", full_name="Nguyễn Văn Đức", authority="KT. Chủ tịch"),
    recipients=("Như Điều 3", "Chủ tịch, các PCT UBND tỉnh", "Sở Nội vụ"),
    archive_unit="VP",
    urgency="Thượng khẩn",
)

LETTER = DraftSpec(
    parent_body="Ủy ban nhân dân\ntỉnh Hòa Bình",
    issuing_body="Văn phòng",
    notation="UBND-VP",
    place="Hòa Bình",
    type_name=None,
    subject="Đôn đốc báo cáo tình hình triển khai đồng bộ phần mềm quản lý văn bản",
    body=("Thực hiện chỉ đạo của Chủ tịch Ủy ban nhân dân tỉnh, Văn phòng đề nghị các sở,"
          " ban, ngành khẩn trương báo cáo trước ngày 15 tháng 3 năm 2026.",),
    signer=Signer(title="Chánh Văn phòng", full_name="Trần Thị Hồng Nhung"),
    recipients=("Các sở, ban, ngành",),
    archive_unit="TH",
    addressees=("Các sở, ban, ngành tỉnh",),
)

AS_TYPED_LETTER = dataclasses.replace(
    LETTER,
    subject="v/v. " + LETTER.subject,
    recipients=("- Như trên;", "lưu: VT, TH;", "Sở Nội vụ (để biết)."),
    secrecy="Mật",
    urgency="Hỏa tốc",
)
"""A công văn as a clerk types it: "V/v" and "Lưu:" already there, bullets and punctuation."""
