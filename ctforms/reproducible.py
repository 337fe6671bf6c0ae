"""Same inputs, same bytes: fixed timestamps for documents and zip-based files."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile


def document_time(as_of: dt.date) -> dt.datetime:
    """The time stamped into produced documents: SOURCE_DATE_EPOCH if set, else the register's
    as-of date at midnight (never the clock)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime(as_of.year, as_of.month, as_of.day)


def normalise_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Re-pack a zip with every entry's time and attributes fixed, in the original order."""
    when = max(stamp.replace(tzinfo=None), dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
