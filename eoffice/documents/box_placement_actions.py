"""The checker's placing of the number, date and signature boxes, declared once
(``eoffice.actions``): its page route, API route and OpenAPI operation come from here."""

from __future__ import annotations

from eoffice.actions import Action, declare
from eoffice.documents import box_placement
from eoffice.documents.actions import DOCUMENTS

PLACE_BOXES = Action(
    DOCUMENTS, "place_boxes",
    "Người kiểm tra thể thức đặt ô số, ngày tháng, chữ ký trên bản PDF của dự thảo tải lên",
    box_placement.Placement, box_placement.place,
    "Đã lưu vị trí ô số, ngày tháng và chữ ký; hãy kiểm tra lại rồi xác nhận đạt thể thức.",
    "/<int:document_id>/boxes", "place_boxes")

declare(PLACE_BOXES)
