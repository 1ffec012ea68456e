"""One rule for missing components: skip on a developer machine, fail under CI=true."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(component: str, how_to_get: str) -> NoReturn:
    """Stop the current test because `component` is absent, saying how to install it."""
    message = f"{component} is not available ({how_to_get})"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def require_executable(name: str, how_to_get: str) -> str:
    """Return the path of an executable on PATH, or stop the test via `missing()`."""
    path = shutil.which(name)
    if path is None:
        missing(name, how_to_get)
    return path
