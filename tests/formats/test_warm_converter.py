"""The warm converter (LibreOffice kept running behind unoserver), with real LibreOffice: it
converts Decree-30 drafts, survives its server being killed or hanging, falls back to one
soffice run per document when it cannot start, and leaves no LibreOffice behind."""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from formats import conversion
from formats.conversion import ConversionError, Converter, WarmConverter
from formats.drafting import build_draft_docx
from tests.formats.samples import DECISION, LETTER
from tests.services.require import require_executable

ROOT = Path(__file__).resolve().parents[2]


def _pdftotext(pdf: bytes) -> str:
    exe = require_executable("pdftotext", "apt-get install poppler-utils")
    return subprocess.run([exe, "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def _group(pgid: int) -> dict[int, str]:
    """Live (non-zombie) processes of process group ``pgid``: pid → command name."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:]
        state, _ppid, group = rest.split()[:3]
        if int(group) == pgid and state != "Z":
            members[int(entry.name)] = name
    return members


def _libreoffice_pid(conv: WarmConverter) -> int:
    assert conv.server_pid is not None
    found = [pid for pid, name in _group(conv.server_pid).items() if name == "soffice.bin"]
    assert len(found) == 1, _group(conv.server_pid)
    return found[0]


def _wait_gone(pgid: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while _group(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(pgid) == {}


def test_warm_converter_converts_a_decree_30_decision(warm_converter: WarmConverter) -> None:
    pdf = warm_converter.docx_to_pdf(build_draft_docx(DECISION))
    assert warm_converter.last_path == "warm"
    assert pdf.startswith(b"%PDF-")
    text = _pdftotext(pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "QUYẾT ĐỊNH", "Về việc ban hành Quy chế công tác văn thư", "THƯỢNG KHẨN",
                     "Nghị định số 30/2020/NĐ-CP", "Nguyễn Văn Đức", "- Lưu: VT, VP.",
                     "/QĐ-UBND"):
        assert expected in text, expected


def test_warm_converter_converts_a_numbered_letter(warm_converter: WarmConverter) -> None:
    spec = dataclasses.replace(LETTER, number=7, issued_date=date(2026, 2, 5))
    text = _pdftotext(warm_converter.docx_to_pdf(build_draft_docx(spec)))
    assert warm_converter.last_path == "warm"
    assert "Số: 07/UBND-VP" in text
    assert "Hòa Bình, ngày 05 tháng 02 năm 2026" in text


def test_a_warm_conversion_is_quick(warm_converter: WarmConverter) -> None:
    docx = build_draft_docx(DECISION)
    warm_converter.docx_to_pdf(docx)
    started = time.perf_counter()
    warm_converter.docx_to_pdf(docx)
    assert time.perf_counter() - started < 0.8  # one-shot soffice takes ≈1 s on 2 cores


def test_killed_server_is_restarted_and_the_next_conversion_succeeds(
    warm_converter: WarmConverter,
) -> None:
    warm_converter.docx_to_pdf(build_draft_docx(DECISION))
    pgid, starts = warm_converter.server_pid, warm_converter.starts
    assert pgid is not None
    os.killpg(pgid, signal.SIGKILL)
    _wait_gone(pgid)
    text = _pdftotext(warm_converter.docx_to_pdf(build_draft_docx(DECISION)))
    assert "QUYẾT ĐỊNH" in text and warm_converter.last_path == "warm"
    assert warm_converter.starts == starts + 1
    assert warm_converter.server_pid not in (None, pgid)


def test_killed_libreoffice_behind_a_live_server_is_restarted(
    warm_converter: WarmConverter,
) -> None:
    warm_converter.docx_to_pdf(build_draft_docx(LETTER))
    starts = warm_converter.starts
    os.kill(_libreoffice_pid(warm_converter), signal.SIGKILL)  # LibreOffice crashes
    text = _pdftotext(warm_converter.docx_to_pdf(build_draft_docx(LETTER)))
    assert "Kính gửi" in text and warm_converter.last_path == "warm"
    assert warm_converter.starts == starts + 1


def test_conversion_over_the_timeout_is_refused_and_the_next_one_works(
    warm_converter: WarmConverter,
) -> None:
    docx = build_draft_docx(DECISION)
    warm_converter.docx_to_pdf(docx)
    pgid = warm_converter.server_pid
    assert pgid is not None
    warm_converter.timeout = 0.01
    try:
        with pytest.raises(ConversionError, match="quá thời gian"):
            warm_converter.docx_to_pdf(docx)
    finally:
        warm_converter.timeout = 120
    _wait_gone(pgid)  # the hung server was killed with its LibreOffice
    assert "QUYẾT ĐỊNH" in _pdftotext(warm_converter.docx_to_pdf(docx))
    assert warm_converter.last_path == "warm"


def test_missing_server_falls_back_to_one_soffice_run(soffice: str, tmp_path: Path) -> None:
    with WarmConverter(soffice, python=str(tmp_path / "no-such-python3")) as conv:
        assert conv.start() is False
        text = _pdftotext(conv.docx_to_pdf(build_draft_docx(DECISION)))
        assert "QUYẾT ĐỊNH" in text
        assert conv.last_path == "oneshot" and conv.server_pid is None
        conv.docx_to_pdf(build_draft_docx(LETTER))  # no new attempt before retry_after
        assert conv.starts == 0


def test_missing_libreoffice_is_a_clear_error(uno_python: str) -> None:
    with WarmConverter("/nonexistent/soffice", python=uno_python) as conv:
        conv.soffice = None
        with pytest.raises(ConversionError, match="LibreOffice"):
            conv.docx_to_pdf(build_draft_docx(DECISION))
        assert conv.starts == 0


def test_corrupt_input_is_refused_and_the_server_stays(warm_converter: WarmConverter) -> None:
    with pytest.raises(ConversionError, match="DOCX"):
        warm_converter.docx_to_pdf(b"this is not a docx at all")
    source, out = io.BytesIO(build_draft_docx(DECISION)), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            payload = zin.read(item.filename)
            zout.writestr(item, payload[:200] if item.filename == "word/document.xml"
                          else payload)
    pid, starts = warm_converter.server_pid, warm_converter.starts
    with pytest.raises(ConversionError, match="LibreOffice"):
        warm_converter.docx_to_pdf(out.getvalue())
    assert (warm_converter.server_pid, warm_converter.starts) == (pid, starts)


def test_concurrent_conversions_all_succeed(warm_converter: WarmConverter) -> None:
    docs = [build_draft_docx(DECISION), build_draft_docx(LETTER)] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = [_pdftotext(pdf) for pdf in pool.map(warm_converter.docx_to_pdf, docs)]
    assert ["QUYẾT ĐỊNH" in t for t in texts] == [True, False, True, False]
    assert ["Kính gửi" in t for t in texts] == [False, True, False, True]


def test_owner_killed_outright_leaves_no_libreoffice(uno_python: str, soffice: str) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from formats.warm_converter import WarmConverter
        conv = WarmConverter({soffice!r}, python={uno_python!r})
        assert conv.start()
        print(conv.server_pid, conv.runtime_dir, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no close()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    pgid, runtime = done.stdout.split()
    _wait_gone(int(pgid))
    assert not Path(runtime).exists()


def test_conversions_under_gevent_leave_the_hub_free(uno_python: str, soffice: str) -> None:
    """Monkey-patched like the gunicorn gevent worker: while documents convert, other
    greenlets keep running (the wait is on a cooperative socket, not a blocked hub)."""
    script = textwrap.dedent(f"""
        from gevent import monkey
        monkey.patch_all()
        import time
        import gevent
        from formats.drafting import build_draft_docx
        from formats.warm_converter import WarmConverter
        from tests.formats.samples import DECISION, LETTER
        with WarmConverter({soffice!r}, python={uno_python!r}) as conv:
            assert conv.start()
            docs = [build_draft_docx(spec) for spec in (DECISION, LETTER, DECISION, LETTER)]
            ticks = []
            def tick():
                while True:
                    ticks.append(time.monotonic())
                    gevent.sleep(0.01)
            ticker = gevent.spawn(tick)
            started = time.monotonic()
            jobs = [gevent.spawn(conv.docx_to_pdf, doc) for doc in docs]
            gevent.joinall(jobs, raise_error=True)
            elapsed = time.monotonic() - started
            ticker.kill()
            assert all(job.value.startswith(b"%PDF-") for job in jobs)
            print(conv.last_path, len(ticks), elapsed)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    path, ticks, elapsed = done.stdout.split()
    assert path == "warm"
    # A blocked hub would tick only between the four conversions.
    assert int(ticks) >= max(10, float(elapsed) / 0.01 / 3), done.stdout


def test_close_stops_libreoffice_and_removes_the_profile(uno_python: str, soffice: str) -> None:
    conv = WarmConverter(soffice, python=uno_python)
    assert conv.start()
    pgid, runtime = conv.server_pid, conv.runtime_dir
    assert pgid is not None and runtime is not None and (runtime / "profile").is_dir()
    conv.close()
    _wait_gone(pgid)
    assert not runtime.exists() and conv.server_pid is None


def test_default_converter_is_warm_unless_asked_for_oneshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conversion, "_default", None)
    monkeypatch.delenv("EOFFICE_CONVERTER", raising=False)
    warm = conversion.default_converter()
    assert isinstance(warm, WarmConverter) and warm.server_pid is None  # started lazily
    assert conversion.default_converter() is warm
    monkeypatch.setattr(conversion, "_default", None)
    monkeypatch.setenv("EOFFICE_CONVERTER", "oneshot")
    assert type(conversion.default_converter()) is Converter
    monkeypatch.setattr(conversion, "_default", None)
    monkeypatch.setenv("EOFFICE_CONVERTER", "lukewarm")
    with pytest.raises(ValueError, match="EOFFICE_CONVERTER"):
        conversion.default_converter()
