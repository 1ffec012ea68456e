"""DOCX → PDF benchmark: the warm converter (LibreOffice kept running behind unoserver) against
one ``soffice --convert-to pdf`` run per document, on the same Decree-30 draft in the same run.

Also times unoserver's own clients against the same warm server (its ``UnoClient`` class and
its ``unoconvert`` command), which the warm converter does not use: they show why it makes the
bare XML-RPC call itself. Goal: warm p50 ≤ 0.2 s and at least 5× faster than one-shot. The last
line is the single ``RESULT ...`` summary.

    .venv/bin/python bench/conversion_bench.py [-n 10]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from unoserver.client import UnoClient

from formats.conversion import Converter, WarmConverter
from formats.drafting import build_draft_docx
from tests.formats.samples import DECISION


def timed(convert: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        convert()
        times.append(time.perf_counter() - started)
    return times


def describe(name: str, times: list[float]) -> float:
    p50 = statistics.median(times)
    print(f"  {name:<26} p50 {p50:6.3f} s   min {min(times):6.3f}   max {max(times):6.3f}   "
          f"({len(times)} runs)")
    return p50


def check_text(pdf: bytes, what: str) -> None:
    exe = shutil.which("pdftotext")
    if exe is None:
        return
    text = subprocess.run([exe, "-", "-"], input=pdf, capture_output=True, check=True).stdout
    if "QUYẾT ĐỊNH" not in text.decode():
        sys.exit(f"{what}: the PDF does not read 'QUYẾT ĐỊNH'")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", "--runs", type=int, default=10, help="conversions per converter")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    docx = build_draft_docx(DECISION)
    print(f"Decree-30 decision draft: {len(docx):,} bytes DOCX; {args.runs} conversions each")

    with WarmConverter() as warm:
        started = time.perf_counter()
        if not warm.start():
            sys.exit("the warm converter did not start (python3-uno and unoserver installed?)")
        print(f"  warm server start          {time.perf_counter() - started:6.3f} s "
              "(once per process, on the first conversion)")
        first = time.perf_counter()
        check_text(warm.docx_to_pdf(docx), "warm")
        print(f"  warm first conversion      {time.perf_counter() - first:6.3f} s")
        warm_times = timed(lambda: warm.docx_to_pdf(docx), args.runs)
        if warm.last_path != "warm" or warm.starts != 1:
            sys.exit(f"the warm converter fell back or restarted ({warm.last_path}, "
                     f"{warm.starts} starts)")
        warm_p50 = describe("warm (bare XML-RPC call)", warm_times)
        client = UnoClient(port=str(warm.server_port))
        describe("unoserver UnoClient", timed(lambda: client.convert(indata=docx,
                                                                     convert_to="pdf"),
                                              args.runs))
        unoconvert = Path(sys.executable).with_name("unoconvert")
        with tempfile.TemporaryDirectory() as work:
            source = Path(work) / "d.docx"
            source.write_bytes(docx)
            command = [str(unoconvert), "--port", str(warm.server_port), "--convert-to", "pdf",
                       str(source), str(Path(work) / "d.pdf")]
            describe("unoserver unoconvert CLI", timed(
                lambda: subprocess.run(command, check=True, capture_output=True),
                max(3, args.runs // 2)))

    with Converter() as oneshot:
        first = time.perf_counter()
        check_text(oneshot.docx_to_pdf(docx), "one-shot")
        print(f"  one-shot first (profile)   {time.perf_counter() - first:6.3f} s")
        oneshot_p50 = describe("one-shot soffice", timed(lambda: oneshot.docx_to_pdf(docx),
                                                         args.runs))

    speedup = oneshot_p50 / warm_p50
    met = warm_p50 <= 0.2 and speedup >= 5
    print(f"goal warm p50 <= 0.2 s and >= 5x one-shot: {'met' if met else 'NOT met'}")
    print(f"RESULT warm_p50_s={warm_p50:.3f} oneshot_p50_s={oneshot_p50:.3f} "
          f"speedup={speedup:.1f}")


if __name__ == "__main__":
    main()
