"""Names of the files ctforms writes for a centre, in one light module: the guidance names them
in every action without loading the producers (and their spreadsheet library)."""

from __future__ import annotations


def listing_file_name(centre: str) -> str:
    """The Interchange listing written beside the EDI file (always, even with no changes)."""
    return f"{centre}-entries-listing.xlsx"
