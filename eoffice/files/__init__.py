"""Uploaded files: content checks, the object store and the rows that point at objects."""
