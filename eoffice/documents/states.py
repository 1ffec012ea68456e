"""The states of the two document workflows and their Vietnamese names.

The bottom layer of the documents domain: everything else may import it, it imports nothing
of the domain.
"""

from __future__ import annotations

from enum import StrEnum


class Out(StrEnum):
    DRAFT = "DRAFT"
    REVISION = "REVISION"
    CONTENT_OK = "CONTENT_OK"
    FORMAT_OK = "FORMAT_OK"
    APPROVED = "APPROVED"
    SIGNED = "SIGNED"
    NUMBERED = "NUMBERED"
    ORG_SIGNED = "ORG_SIGNED"
    ISSUED = "ISSUED"
    ARCHIVED = "ARCHIVED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"

class In(StrEnum):
    RECEIVED = "RECEIVED"
    REGISTERED = "REGISTERED"
    PRESENTED = "PRESENTED"
    DIRECTED = "DIRECTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FILED = "FILED"
    RETURNED = "RETURNED"
    REVOKED = "REVOKED"

STATE_LABELS: dict[str, str] = {
    "DRAFT": "Dự thảo (chờ kiểm tra nội dung)",
    "REVISION": "Trả lại để sửa",
    "CONTENT_OK": "Đã duyệt nội dung (chờ kiểm tra thể thức)",
    "FORMAT_OK": "Đã kiểm tra thể thức (chờ người ký duyệt)",
    "APPROVED": "Đã duyệt (chờ ký số)",
    "SIGNED": "Lãnh đạo đã ký (chờ cấp số)",
    "NUMBERED": "Đã cấp số (chờ ký số cơ quan)",
    "ORG_SIGNED": "Đã ký số cơ quan (chờ phát hành)",
    "ISSUED": "Đã phát hành",
    "ARCHIVED": "Đã lưu trữ",
    "REVOKED": "Đã thu hồi",
    "REPLACED": "Đã được thay thế",
    "RECEIVED": "Đã tiếp nhận",
    "REGISTERED": "Đã vào sổ (chờ trình)",
    "PRESENTED": "Đã trình lãnh đạo (chờ chỉ đạo)",
    "DIRECTED": "Đã có chỉ đạo (chờ xử lý)",
    "IN_PROGRESS": "Đang xử lý",
    "COMPLETED": "Đã hoàn thành",
    "FILED": "Đã lập hồ sơ",
    "RETURNED": "Đã trả lại nơi gửi",
}
