"""The append-only, hash-chained event trail. Every feature records its actions via ``record``."""

from eoffice.audit.service import ChainReport, record, verify_chain

__all__ = ["ChainReport", "record", "verify_chain"]
