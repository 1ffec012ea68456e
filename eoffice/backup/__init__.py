"""Backup and restore of a whole installation: database, objects, PKI and secret key.

``flask --app wsgi backup create DIR`` / ``verify DIR`` / ``restore DIR``; see ``archive``
for the folder's layout and ``sealed`` for how the secrets in it are encrypted.
"""

from eoffice.backup.archive import BackupError, VerifiedBackup, create, restore, verify

__all__ = ["BackupError", "VerifiedBackup", "create", "restore", "verify"]
