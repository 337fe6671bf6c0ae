"""One series of entries files for a centre: a run whose folder is new (every check of the web
page) still takes the next sequence after the files earlier runs made, never a name already
used, and keeps the name when its entries are exactly the last file's."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import DEMO
from webkit import copy_site

from ctforms import pipeline
from ctforms.produce.decisions import record_entry_decision

AS_OF = dt.date(2024, 6, 10)


def _edi(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("E64395*.X*"))


def _sources(tmp_path: Path) -> pipeline.Sources:
    records = tmp_path / "records.xlsx"
    shutil.copyfile(DEMO / "records.xlsx", records)
    return pipeline.Sources(
        DEMO / "tracker.csv", DEMO / "centre.toml", records, (DEMO / "rules.xlsx",)
    )


def _confirm_move_down(records: Path) -> None:
    record_entry_decision(
        records,
        candidate_number="0012",
        qualification_code="05838",
        make_change=True,
        decided_by="Ben Okoro",
        date=AS_OF,  # a decision dated after the check's date is not used by it
    )


@pytest.mark.slow  # several whole checks in a row
def test_runs_in_folders_of_their_own_make_one_series(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    pipeline.run(sources, AS_OF, a)
    assert _edi(a) == ["E6439572.X01"]
    # The same entries again: the same file, under the same name (nothing new to send).
    pipeline.run(sources, AS_OF, b, earlier_runs=[a])
    assert _edi(b) == ["E6439572.X01"]
    assert (b / "E6439572.X01").read_bytes() == (a / "E6439572.X01").read_bytes()
    # Other entries: the next sequence, though c has no file of its own yet.
    assert sources.records is not None
    _confirm_move_down(sources.records)
    made = pipeline.run(sources, AS_OF, c, earlier_runs=[b, a])
    assert _edi(c) == ["E6439572.X02"]
    assert made.written.edi_file == c / "E6439572.X02"
    assert made.written.edi_file.read_bytes() != (a / "E6439572.X01").read_bytes()


@pytest.mark.slow  # several whole checks in a row
def test_without_earlier_runs_a_new_folder_starts_the_series(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    pipeline.run(sources, AS_OF, tmp_path / "a")
    assert sources.records is not None
    _confirm_move_down(sources.records)
    pipeline.run(sources, AS_OF, tmp_path / "b")  # as `ctforms run -o` into a new folder
    assert _edi(tmp_path / "b") == ["E6439572.X01"]


def test_each_check_of_the_page_takes_the_next_entries_file(
    tmp_path: Path, checked_demo: Path
) -> None:
    site = copy_site(checked_demo, tmp_path / "ws")
    first = site.workspace.run_folder(None)
    assert first is not None and _edi(first.path) == ["E6439572.X01"]
    r = site.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro", "date": "2024-06-11"},
    )
    assert r.status_code in (200, 303)
    assert site.post("check/again").status_code == 303
    assert site.wait().status_code == 303
    second = site.workspace.run_folder(None)
    assert second is not None and second.id != first.id
    assert _edi(second.path) == ["E6439572.X02"]
    assert "E6439572.X02" in site.get(f"files?run={second.id}").text
