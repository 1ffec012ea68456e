"""Fixtures for the notification tests: real Chromium."""

from tests.services.browser import browser  # noqa: F401
