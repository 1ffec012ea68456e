"""Fixtures for the web tests: the whole app (meetings included) served to real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.services.browser import (
    browser,  # noqa: F401
    logged_in_page,
)
from tests.services.live_server import served_demo


@pytest.fixture()
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    with served_demo(database_url, tmp_path, with_meetings=True) as served:
        yield served


#: A signed-in page in a Chromium whose language is English (en-US, ``logged_in_page``'s
#: default).
english_session = logged_in_page
