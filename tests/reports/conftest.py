from tests.services.browser import browser  # noqa: F401
