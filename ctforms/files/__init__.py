"""Shared file helpers: workbooks, owner-only writes, reproducible bytes, input limits."""
