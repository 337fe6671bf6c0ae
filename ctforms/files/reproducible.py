"""Same inputs, same bytes: fixed timestamps for documents and zip-based files."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import zipfile
from collections.abc import Callable

# Stamped into blank templates (records, rules workbooks) so a template is always the same bytes.
TEMPLATE_TIME = dt.datetime(2024, 1, 1)


def document_time(as_of: dt.date) -> dt.datetime:
    """The time stamped into produced documents: SOURCE_DATE_EPOCH if set, else the register's
    as-of date at midnight (never the clock)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime(as_of.year, as_of.month, as_of.day)


def zip_time(timestamp: dt.datetime) -> dt.datetime:
    """Naive UTC, whole seconds, inside the range a zip entry's DOS date can hold."""
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(dt.UTC).replace(tzinfo=None)
    timestamp = timestamp.replace(microsecond=0)
    return min(max(timestamp, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58))


def fixed_entry(name: str, stamp: dt.datetime, mode: int = 0o644) -> zipfile.ZipInfo:
    """A zip entry whose metadata is the same on every run and every platform."""
    info = zipfile.ZipInfo(name, date_time=zip_time(stamp).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # ZipInfo says 0 on Windows: same bytes on every platform
    info.external_attr = (stat.S_IFREG | mode) << 16  # a regular file, as unzip expects
    return info


def normalise_zip(
    data: bytes,
    stamp: dt.datetime,
    rewrite: Callable[[str, bytes], bytes] | None = None,
) -> bytes:
    """Re-pack a zip in its own order with every entry's time and attributes fixed; `rewrite`
    may change an entry's content on the way (e.g. dates inside the document)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if rewrite is not None:
                content = rewrite(info.filename, content)
            dst.writestr(fixed_entry(info.filename, stamp), content)
    return out.getvalue()
