"""The leader's sign request on a draft that is already rendered, on the server `make run` starts.

Drafts generated from the Decree-30 template (DOCX kept, PDF rendered when submitted) are taken
through the approvals; then the leader signs them one after another through
``POST /api/v1/documents/<id>/actions/sign`` with the PIN, as the page does. Before the job
queue the click itself converted the DOCX (one `soffice` per document); the reference printed
in the same run is that one-shot conversion of the same draft.

    python bench/sign_request.py [--count 20]

Goal (issue #13): sign p95 ≤ 300 ms. Last line:
``RESULT sign_p50_ms=… sign_p95_ms=… oneshot_conversion_ms=… count=…``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import write_burst

PREPARE = """
import sys
from sqlalchemy import select
from eoffice import create_app
from eoffice.accounts.models import User
from eoffice.documents import service
from eoffice.documents.generation import generate_outgoing
from eoffice.documents.workflow import transition
from eoffice.extensions import db

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    def user(name):
        return db.session.execute(select(User).where(User.username == name)).scalar_one()
    drafter, head, clerk, leader = (user(n) for n in
                                    ("chuyenvien", "truongphong", "vanthu", "chutich"))
    ids = []
    for i in range(count):
        draft = service.OutgoingDraft(subject=f"Về việc đo thời gian ký số {i + 1}", type_code="",
                                      reviewer_id=head.id, checker_id=clerk.id,
                                      signer_id=leader.id)
        body = ["Ủy ban nhân dân tỉnh đề nghị các đơn vị báo cáo kết quả thực hiện.",
                "Thời hạn gửi báo cáo trước ngày 15 hằng tháng."]
        document = generate_outgoing(drafter, draft, body, ["Các sở, ban, ngành"]).document
        transition(head, document, "approve_content")
        transition(clerk, document, "approve_format")
        transition(leader, document, "approve")
        db.session.commit()
        ids.append(document.id)
    print(" ".join(map(str, ids)))
"""

ONESHOT = """
import sys, time
from formats.drafting import build_draft_docx
from formats.oneshot import Converter
from tests.formats.samples import LETTER

docx = build_draft_docx(LETTER)
with Converter(timeout=120) as converter:
    times = []
    for _ in range(int(sys.argv[1])):
        started = time.perf_counter()
        converter.docx_to_pdf(docx)
        times.append((time.perf_counter() - started) * 1000)
times.sort()
print(times[len(times) // 2])
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sign-request-"))
    env = write_burst.instance_env(workdir, f"sqlite:///{workdir / 'eoffice.sqlite3'}")
    write_burst.install(env)
    prepared = subprocess.run([write_burst.PYTHON, "-c", PREPARE, str(args.count)],
                              cwd=write_burst.ROOT, env=env, capture_output=True, text=True,
                              timeout=900)
    if prepared.returncode != 0:
        raise SystemExit(prepared.stderr[-3000:])
    ids = [int(part) for part in prepared.stdout.split()]
    latencies = []
    with write_burst.running_server("sqlite", env) as base:
        cookies, token = write_burst.logged_in(base, "chutich")
        session = requests.Session()
        session.cookies.update(cookies)
        for document_id in ids:
            started = time.perf_counter()
            answer = session.post(f"{base}/api/v1/documents/{document_id}/actions/sign",
                                  json={"pin": "123456"}, headers={"X-CSRFToken": token},
                                  timeout=120)
            latencies.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200 or answer.json()["state"] != "SIGNED":
                raise SystemExit(f"signing {document_id} failed: {answer.text[:500]}")
    oneshot = subprocess.run([write_burst.PYTHON, "-c", ONESHOT, "3"], cwd=write_burst.ROOT,
                             capture_output=True, text=True, timeout=600)
    oneshot_ms = float(oneshot.stdout.strip() or "nan")
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"sign request on a rendered draft: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
          f"first {latencies[0]:.0f} ms over {len(latencies)} documents")
    print(f"reference: one-shot DOCX→PDF conversion of the same kind of draft {oneshot_ms:.0f} ms "
          "(what the click paid before drafts were rendered on submission)")
    print(f"RESULT sign_p50_ms={p50:.1f} sign_p95_ms={p95:.1f} "
          f"oneshot_conversion_ms={oneshot_ms:.1f} count={len(latencies)}")


if __name__ == "__main__":
    main()
