"""Fixtures for the storage suite: the same tests run against every store implementation."""

from tests.services.seaweed import s3_server  # noqa: F401
