"""The command line, driven as a user would (subprocesses, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from signing import demo_seal_png, demo_signature_png
from signing.samples import make_pdf

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env=None, check=None, input=None):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    res = subprocess.run([sys.executable, "-m", "signing", *map(str, args)], capture_output=True,
                         text=True, env=e, cwd=ROOT, timeout=120, input=input)
    if check is not None:
        assert res.returncode == check, res.stdout + res.stderr
    return res


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    env = {"EOFFICE_PIN_STATE": str(d / "pins.json")}
    cli("pki", "init", d / "pki", check=0)
    pin_file = d / "pin.txt"
    pin_file.write_text("s3cret-PIN\n")
    cli("pki", "issue", d / "pki", "--name", "Nguyễn Văn An", "--title", "Phó Chủ tịch",
        "--out", d / "an.p12", "--pin-file", pin_file, check=0)
    cli("pki", "issue", d / "pki", "--name", "UBND tỉnh Hà Giang", "--seal",
        "--out", d / "seal.p12", "--pin", "seal-pin", check=0)
    (d / "in.pdf").write_bytes(make_pdf(2))
    (d / "sig.png").write_bytes(demo_signature_png("An"))
    (d / "seal.png").write_bytes(demo_seal_png("UBND tỉnh Hà Giang"))
    return d, env, pin_file


def test_sign_and_verify(world):
    d, env, pin_file = world
    res = cli("sign", d / "in.pdf", d / "out.pdf", "--p12", d / "an.p12", "--pin-file", pin_file,
              "--pki", d / "pki", "--level", "B-LT", env=env, check=0)
    assert "s3cret" not in res.stdout + res.stderr
    res = cli("verify", d / "out.pdf", "--trust", d / "pki" / "root.pem", check=0)
    assert "Hợp lệ" in res.stdout and "VALID" in res.stdout
    res = cli("verify", d / "out.pdf", "--trust", d / "pki" / "root.pem", "--json", check=0)
    rep = json.loads(res.stdout)
    assert rep["ok"] and rep["signatures"][0]["level"] == "B-LT"
    cli("verify", d / "out.pdf", check=1)  # no trust anchor: untrusted → invalid


def test_leader_fill_org_via_cli(world, tmp_path):
    d, env, pin_file = world
    common = ["--pki", d / "pki"]
    cli("sign", d / "in.pdf", tmp_path / "1.pdf", "--p12", d / "an.p12", "--pin-file", pin_file,
        "--role", "leader", "--image", d / "sig.png", "--name", "Nguyễn Văn An",
        "--title", "PHÓ CHỦ TỊCH", "--authority", "KT. CHỦ TỊCH",
        "--reserve-number", "60,740,260,760", "--reserve-date", "300,740,540,760",
        *common, env=env, check=0)
    cli("fill", tmp_path / "1.pdf", tmp_path / "2.pdf", "--number", "Số: 12/QĐ-UBND",
        "--date", "Hà Giang, ngày 01 tháng 7 năm 2025", check=0)
    cli("sign", tmp_path / "2.pdf", tmp_path / "3.pdf", "--p12", d / "seal.p12", "--pin",
        "seal-pin", "--role", "org", "--image", d / "seal.png", *common, env=env, check=0)
    res = cli("verify", tmp_path / "3.pdf", "--pki", d / "pki", "--json", check=0)
    assert [s["field_name"] for s in json.loads(res.stdout)["signatures"]] == [
        "ChuKyLanhDao", "ChuKyCoQuan"]


def test_attachment_and_batch_via_cli(world, tmp_path):
    d, env, _ = world
    cli("sign", d / "in.pdf", tmp_path / "att.pdf", "--p12", d / "seal.p12", "--pin", "seal-pin",
        "--role", "attachment", "--number", "12/QĐ-UBND", "--pki", d / "pki", env=env, check=0)
    cli("verify", tmp_path / "att.pdf", "--pki", d / "pki", check=0)
    (tmp_path / "bad.pdf").write_bytes(b"nope")
    res = cli("batch", tmp_path / "out", d / "in.pdf", tmp_path / "bad.pdf", tmp_path / "att.pdf",
              "--p12", d / "seal.p12", "--pin", "seal-pin", "--pki", d / "pki", "--level", "B-T",
              env=env, check=1)
    assert "[3/3]" in res.stdout and "2 signed, 1 failed" in res.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["att.pdf", "in.pdf"]


def test_exit_codes_and_no_output_on_bad_input(world, tmp_path):
    d, env, pin_file = world
    (tmp_path / "x.pdf").write_bytes(b"hello, not a pdf")
    res = cli("sign", tmp_path / "x.pdf", tmp_path / "y.pdf", "--p12", d / "an.p12",
              "--pin-file", pin_file, env=env, check=2)
    assert "not a PDF" in res.stderr
    assert not (tmp_path / "y.pdf").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "x.pdf"]  # no temp files left
    cli("verify", tmp_path / "x.pdf", check=2)
    cli("verify", tmp_path / "missing.pdf", check=2)


def test_wrong_pin_then_lockout(world, tmp_path):
    d, _, _ = world
    env = {"EOFFICE_PIN_STATE": str(tmp_path / "pins.json")}
    original = (d / "in.pdf").read_bytes()
    for _ in range(4):
        res = cli("sign", d / "in.pdf", d / "in.pdf", "--p12", d / "an.p12", "--pin", "wrong",
                  env=env, check=1)
        assert "wrong signing PIN" in res.stderr
    res = cli("sign", d / "in.pdf", tmp_path / "o.pdf", "--p12", d / "an.p12", "--pin", "wrong",
              env=env, check=1)
    assert "locked" in res.stderr
    assert (d / "in.pdf").read_bytes() == original  # a failed run never touches the input
    assert not (tmp_path / "o.pdf").exists()


def test_pin_from_prompt_is_not_echoed(world, tmp_path):
    d, env, _ = world
    # stdin is not a TTY here: the CLI must refuse rather than read a PIN from a pipe
    res = cli("sign", d / "in.pdf", tmp_path / "o.pdf", "--p12", d / "an.p12", env=env,
              input="s3cret-PIN\n")
    assert res.returncode != 0 and "PIN" in res.stderr
    assert "s3cret" not in res.stdout + res.stderr


def test_revoke_via_cli_shows_in_verify(world, tmp_path):
    d, env, _pin_file = world
    cli("pki", "issue", d / "pki", "--name", "Tạm Thời", "--out", tmp_path / "t.p12", "--pin",
        "tt", check=0)
    cli("sign", d / "in.pdf", tmp_path / "t.pdf", "--p12", tmp_path / "t.p12", "--pin", "tt",
        "--pki", d / "pki", "--level", "B-T", env=env, check=0)
    cli("verify", tmp_path / "t.pdf", "--pki", d / "pki", check=0)
    cli("pki", "revoke", d / "pki", "--p12", tmp_path / "t.p12", "--pin", "tt", check=0)
    res = cli("verify", tmp_path / "t.pdf", "--pki", d / "pki", check=1)
    assert "thu hồi" in res.stdout
    res = cli("sign", d / "in.pdf", tmp_path / "t2.pdf", "--p12", tmp_path / "t.p12", "--pin",
              "tt", "--pki", d / "pki", env=env, check=1)
    assert "revoked" in res.stderr
