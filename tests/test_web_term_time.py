"""The page and the term-time checkpoint: New check offers both checkpoints (term-time by
default from 1 January to 30 April); the history keeps both, each with its own Results, Files
and Sign-off; the demo has a term-time example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_web import demo_files, save_demo_centre
from webkit import Site, make_site


def test_new_check_chooses_term_time_from_january_to_april(tmp_path: Path) -> None:
    site = make_site(tmp_path / "ws")  # no centre yet: refused, the form shown again
    for day, chosen in [
        ("2024-03-15", "term-time"),
        ("2024-04-30", "term-time"),
        ("2024-05-01", "2"),
    ]:
        page = site.post("check", {"as_of": day}, files=demo_files()).text
        ticked = re.search(r'name="checkpoint" value="([^"]+)"[^>]*checked', page)
        assert ticked is not None and ticked[1] == chosen, day


@pytest.mark.slow  # several whole checks in a row
def test_both_checkpoints_in_the_history_each_with_its_own_pages(tmp_path: Path) -> None:
    site = make_site(tmp_path / "ws")
    save_demo_centre(site)
    form = {"as_of": "2024-03-15", "checkpoint": "term-time"}
    assert site.post("check", form, files=demo_files()).status_code == 303
    done = site.wait()
    assert done.headers["location"].endswith("/results?run=2024-03-15-1")
    assert (
        site.post(
            "check", {"as_of": "2024-06-10", "checkpoint": "2"}, files=demo_files()
        ).status_code
        == 303
    )
    assert site.wait().headers["location"].endswith("/results?run=2024-06-10-1")
    term = site.get("results?run=2024-03-15-1").text
    assert "Term-time checkpoint (estimated completion dates): checked on" in term
    assert "2024-06-10-1</a>: Checkpoint 2" in term
    latest = site.get("results").text
    assert "2024-03-15-1</a>: term-time checkpoint" in latest
    files = site.get("files?run=2024-03-15-1").text
    assert "64395-ecd-amendments.xlsx" in files
    assert "64395-term-time-declaration-evidence-pack.pdf" in files
    assert "E6439572.X01" not in files
    signed = site.post(
        "sign-off?run=2024-03-15-1",
        {
            "signed_by": "Ben Okoro",
            "role": "Exams Officer",
            "confirm": "yes",
            "reason": "Amending the dates in the tracker on 18 March",
        },
    )
    assert signed.status_code == 303, signed.text
    run = site.workspace.root / "runs" / "2024-03-15-1"
    assert (run / "64395-term-time-declaration-signed-off.pdf").is_file()
    assert not (
        site.workspace.root / "runs" / "2024-06-10-1" / "64395-term-time-declaration-signed-off.pdf"
    ).exists()


def test_the_demo_has_a_term_time_example(tmp_path: Path) -> None:
    site: Site = make_site(tmp_path / "ws")
    r = site.post("check/demo", {"checkpoint": "term-time"})
    assert r.status_code == 303
    done = site.client.get(r.headers["location"], follow_redirects=False)
    while done.status_code == 200 and 'http-equiv="refresh"' in done.text:
        done = site.client.get(r.headers["location"], follow_redirects=False)
    assert "/demo/results?run=2024-03-15-1" in done.headers["location"]
    page = site.client.get(done.headers["location"]).text
    assert "Term-time checkpoint" in page
