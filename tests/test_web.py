"""The web page's routes through Starlette's test client: who may use it, the forms, the check,
the results and the files."""

from __future__ import annotations

import html
import re
import stat
from pathlib import Path

import pytest
from conftest import DEMO
from starlette.testclient import TestClient
from webkit import HOST, PORT, Site, copy_site, error_beside, make_site

from ctforms import pipeline
from ctforms.checks.urgency import by_urgency, who
from ctforms.files.limits import XLSX_MAX_BYTES
from ctforms.files.output import write_bytes
from ctforms.models import Register
from ctforms.pipeline import Sources
from ctforms.read.records import read_records
from ctforms.web.app import make_app
from ctforms.web.guard import Keys
from ctforms.web.views.decisions import issue_label
from ctforms.web.workspace import Workspace


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path / "ws")


def check_demo_files(s: Site) -> None:
    """The demo centre's files, uploaded as a centre's own and checked."""
    save_demo_centre(s)
    assert s.post("check", {"as_of": "2024-06-10"}, files=demo_files()).status_code == 303
    done = s.wait()
    assert done.status_code == 303, done.text


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A workspace in which the demo centre's files have been checked (once for the module)."""
    s = make_site(tmp_path_factory.mktemp("checked") / "ws")
    check_demo_files(s)
    return s


def demo_files() -> dict[str, tuple[str, bytes]]:
    return {
        "tracker": ("ProgressTracker-64395.csv", (DEMO / "tracker.csv").read_bytes()),
        "records": ("records.xlsx", (DEMO / "records.xlsx").read_bytes()),
        "rules": ("rules.xlsx", (DEMO / "rules.xlsx").read_bytes()),
    }


def save_demo_centre(site: Site) -> None:
    write_bytes(site.workspace.centre, (DEMO / "centre.toml").read_bytes())


# ---------------------------------------------------------------------------- who may use it


def test_the_pages_answer_with_the_key(site: Site) -> None:
    for page in ("", "centre", "check", "results", "files"):
        r = site.get(page)
        assert r.status_code == 200, page
        assert r.headers["content-type"].startswith("text/html")
        assert '<html lang="en-GB">' in r.text
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "script-src" not in r.headers["content-security-policy"]  # none at all


@pytest.mark.parametrize("path", ["/", "/centre", "/static/style.css", "/wrong-key/", "/x/check"])
def test_a_request_without_the_key_is_refused_with_no_data(site: Site, path: str) -> None:
    r = site.client.get(path)
    assert r.status_code == 403
    assert "the address ctforms printed" in r.text
    assert site.keys.token not in r.text and "<html" not in r.text


def test_a_wrong_key_of_the_right_length_is_refused(site: Site) -> None:
    wrong = site.keys.token[:-1] + ("A" if site.keys.token[-1] != "A" else "B")
    assert site.client.get(f"/{wrong}/").status_code == 403


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "192.168.1.5:8765"])
def test_another_host_name_is_refused(site: Site, host: str) -> None:
    """A page on another site whose name was pointed at 127.0.0.1 (DNS rebinding)."""
    r = site.client.get(f"{site.base}/", headers={"host": host})
    assert r.status_code == 421


def test_localhost_is_accepted(site: Site) -> None:
    r = site.client.get(f"{site.base}/", headers={"host": f"localhost:{PORT}"})
    assert r.status_code == 200


def test_a_form_from_another_site_is_refused(site: Site) -> None:
    before = site.workspace.centre.exists()
    r = site.client.post(
        f"{site.base}/check/demo",
        data={"form_key": site.keys.form_key},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403
    r = site.client.post(
        f"{site.base}/check/demo",
        data={"form_key": site.keys.form_key},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 403
    assert site.workspace.centre.exists() == before


@pytest.mark.parametrize("path", ["check/demo", "centre", "check", "check/again"])
def test_a_form_without_its_key_is_refused(site: Site, path: str) -> None:
    files = demo_files() if path == "check" else None
    r = site.post(path, {"as_of": "2024-06-10"}, files=files, key="not-the-key")
    assert r.status_code == 403
    assert not site.workspace.centre.exists()
    assert list(site.workspace.runs.iterdir()) == []
    assert not any((site.workspace.root / ".uploads").glob("*/*"))


def test_each_start_makes_new_keys() -> None:
    a, b = Keys(1), Keys(1)
    assert a.token != b.token and a.form_key != b.form_key
    assert len(a.token) >= 32
    assert a.url == f"http://127.0.0.1:1/{a.token}/"


# ---------------------------------------------------------------------------- centre


def test_the_centre_form_saves_a_valid_profile_the_cli_reads(site: Site) -> None:
    values = {
        "number": "64395",
        "name": "Riverside Sixth Form College",
        "head_of_centre": "Dr Margaret O'Neill",
        "officer_name": "Ben Okoro",
        "officer_email": "exams@riverside.example",
        "year": "2024",
        "declaration_closes": "2024-06-21",
    }
    r = site.post("centre", values)
    assert r.status_code == 303  # a refresh does not send the form again
    r = site.client.get(r.headers["location"])
    assert "Saved." in r.text
    assert "Saved." not in site.get("centre").text
    from ctforms.read.centre import load_centre

    profile = load_centre(site.workspace.centre)
    assert profile.centre.head_of_centre == "Dr Margaret O'Neill"
    assert str(profile.series.declaration_closes) == "2024-06-21"
    assert "declaration_closes" not in profile.series.assumed
    assert "declaration_opens" in profile.series.assumed
    assert stat.S_IMODE(site.workspace.centre.stat().st_mode) == 0o600
    page = site.get("centre").text
    assert 'value="2024-06-21"' in page and "Assumed if empty" in page


def test_after_a_failed_save_focus_goes_to_the_problem_box(site: Site) -> None:
    r = site.post("centre", {"number": "1234"})
    assert r.status_code == 400
    box = r.text.split('id="problems"')[1].split("</div>")[0]
    assert box.count(" autofocus") == 1 and '<a href="#' in box.split(" autofocus")[0]


def test_every_page_links_its_own_icon_and_the_icon_is_served(site: Site) -> None:
    """Trial 2, finding 7: /favicon.ico got 403 on every page load; the icon is linked from
    the keyed static folder (the CSP allows images from 'self' only, not data:)."""
    page = site.get("").text
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon is not None and icon[1].startswith(site.base + "/static/")
    r = site.client.get(icon[1])
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("number", "1234", "is not a 5-digit centre number"),
        ("name", "", "Centre name is empty"),
        ("head_of_centre", "", "Head of Centre is empty"),
        ("officer_name", " ", "Exams Officer is empty"),
        ("officer_email", "", "email is empty"),
        ("officer_email", "exams at riverside", "is not an email address"),
        ("year", "1999", "is not a year ctforms handles"),
        ("year", "soon", "write the year as a whole number"),
        ("head_of_centre", "Dr A. Example", "is still the example"),
        ("declaration_opens", "2030-06-01", "is not in the 2024 series"),
        ("officer_email", "a\x1bb", "control characters"),
    ],
)
def test_a_centre_error_shows_beside_its_field_and_nothing_is_saved(
    site: Site, field: str, value: str, said: str
) -> None:
    values = {
        "number": "64395",
        "name": "College",
        "head_of_centre": "Dr Margaret O'Neill",
        "officer_name": "Ben Okoro",
        "officer_email": "exams@riverside.example",
        "year": "2024",
    }
    r = site.post("centre", values | {field: value})
    assert r.status_code == 400
    beside = error_beside(r.text, field)
    assert beside is not None and said in beside, r.text
    assert "centre.toml" not in beside and "ctforms init" not in beside
    assert f'href="#{field}"' in r.text  # the summary at the top links to the field
    assert not site.workspace.centre.exists()


# ---------------------------------------------------------------------------- new check


def test_the_demo_uploaded_runs_and_keeps_the_files_owner_only(site: Site) -> None:
    save_demo_centre(site)
    r = site.post("check", {"as_of": "2024-06-10"}, files=demo_files())
    assert r.status_code == 303 and r.headers["location"].endswith("/check/progress")
    done = site.wait()
    assert done.status_code == 303
    assert done.headers["location"].endswith("/results?run=2024-06-10-1")
    ws = site.workspace.root
    run = ws / "runs" / "2024-06-10-1"
    assert (run / "64395-declaration-evidence-pack.pdf").is_file()
    for name in ("tracker.csv", "records.xlsx", "rules.xlsx"):
        assert (ws / name).read_bytes() == (DEMO / name).read_bytes()
    for path in [ws, *ws.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert not any((ws / ".uploads").iterdir())


def test_a_bad_tracker_shows_the_cli_reason_beside_it_and_writes_nothing(site: Site) -> None:
    save_demo_centre(site)
    files = {"tracker": ("ProgressTracker.csv", b"Surname,Forenames\nSmith,Jo\n")}
    assert site.post("check", {"as_of": "2024-06-10"}, files=files).status_code == 303
    r = site.wait()
    assert r.status_code == 400
    beside = error_beside(r.text, "tracker")
    assert beside is not None and beside.startswith("'ProgressTracker.csv', row 1"), beside
    assert "required column" in beside
    assert list(site.workspace.runs.iterdir()) == []
    assert not (site.workspace.root / "tracker.csv").exists()  # a refused file is not kept
    assert not any((site.workspace.root / ".uploads").iterdir())


def test_a_refused_upload_does_not_replace_the_saved_file(checked: Site) -> None:
    ws = checked.workspace.root
    before = (ws / "records.xlsx").read_bytes()
    runs = sorted(p.name for p in checked.workspace.runs.iterdir())
    files = {"records": ("records.xlsx", b"this is not a workbook")}
    assert checked.post("check", {"as_of": "2024-06-10"}, files=files).status_code == 303
    r = checked.wait()
    assert r.status_code == 400
    beside = error_beside(r.text, "records")
    assert beside is not None and "not a readable Excel workbook" in beside
    assert (ws / "records.xlsx").read_bytes() == before
    assert sorted(p.name for p in checked.workspace.runs.iterdir()) == runs


def test_an_upload_over_the_limit_is_refused_beside_its_field(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctforms.web import app as web_app
    from ctforms.web.upload import FileField

    small = FileField("rules.xlsx", 1000, "the rules workbook")
    monkeypatch.setitem(web_app.UPLOADS, "rules", small)
    save_demo_centre(site)
    files = {"tracker": ("t.csv", b"x"), "rules": ("rules.xlsx", b"x" * 5000)}
    r = site.post("check", {"as_of": "2024-06-10"}, files=files)
    assert r.status_code == 413
    beside = error_beside(r.text, "rules")
    assert beside is not None and "larger than ctforms reads" in beside and "1,000 bytes" in beside
    assert list(site.workspace.runs.iterdir()) == []
    # The tracker chosen with it is kept for the next try; the refused workbook is not.
    assert set(site.workspace.kept()) == {"tracker.csv"}
    assert "Kept from your last try: \u2018t.csv\u2019" in r.text
    assert not (site.workspace.root / ".uploads" / "kept" / "rules.xlsx").exists()


def test_a_body_past_every_limit_is_refused_before_it_is_read(site: Site) -> None:
    r = site.client.post(
        f"{site.base}/check",
        content=b"",
        headers={
            "origin": HOST,
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(400 * XLSX_MAX_BYTES),
        },
    )
    assert r.status_code == 413


def test_no_tracker_and_no_date_are_said_beside_their_fields(site: Site) -> None:
    save_demo_centre(site)
    r = site.post("check", {"as_of": "1999-01-01"}, files={"tracker": ("", b"")})
    assert r.status_code == 400
    assert "Choose the Progress Tracker" in (error_beside(r.text, "tracker") or "")
    assert "is not a date a check can be judged on" in (error_beside(r.text, "as_of") or "")


def test_a_date_outside_the_results_year_is_warned_of_not_refused(site: Site) -> None:
    """Trial 2, finding 6: today's date (30 November 2026) with results year 2024 gave 28
    overdue issues and no warning."""
    save_demo_centre(site)
    nothing = {"tracker": ("", b"")}
    page = site.post("check", {"as_of": "2026-11-30"}, files=nothing).text  # shown again
    assert "This date is after the 2024 declaration closed" in page
    assert "every deadline will show as overdue. Check on a date in the summer of 2024?" in page
    assert "This date is" not in site.post("check", {"as_of": "2024-06-10"}, files=nothing).text
    assert site.post("check", {"as_of": "2026-11-30"}, files=demo_files()).status_code == 303
    assert site.wait().status_code == 303
    results = site.get("results").text
    warning = results.split('id="date-warning">')[1].split("</p>")[0]
    assert "Checked on Monday 30 November 2026." in warning and "every deadline shows" in warning
    assert results.index('id="date-warning"') < results.index('class="summary"')


def test_a_check_needs_the_centre_first(site: Site) -> None:
    r = site.post("check", {"as_of": "2024-06-10"}, files=demo_files())
    assert r.status_code == 400
    assert "Fill in your centre" in r.text


def test_the_demo_runs_in_its_own_workspace_and_never_touches_the_centres(
    checked: Site,
) -> None:
    """Finding 1: the demo button once overwrote the centre's own files and joined its checks."""
    ws = checked.workspace
    mine = {n: (ws.root / n).read_bytes() for n in ("centre.toml", "records.xlsx", "rules.xlsx")}
    runs = [r.id for r in ws.run_folders()]
    r = checked.post("check/demo")
    assert r.status_code == 303 and r.headers["location"].endswith("/demo/check/progress")
    done = checked.client.get(r.headers["location"], follow_redirects=False)
    while done.status_code == 200 and 'http-equiv="refresh"' in done.text:
        done = checked.client.get(r.headers["location"], follow_redirects=False)
    assert done.status_code == 303 and "/demo/results?run=" in done.headers["location"]
    assert {n: (ws.root / n).read_bytes() for n in mine} == mine
    assert [r.id for r in ws.run_folders()] == runs
    assert (ws.root / "demo" / "runs").is_dir() and ws.demo.run_folders()
    page = checked.client.get(done.headers["location"]).text
    assert "You are looking at the invented demo centre" in page
    assert "Your own centre is untouched" in page
    assert f'href="{checked.base}/results">Back to your own centre (Results)' in page
    # Trial 2, finding 7: the demo's Centre page is its details as text.
    demo = checked.client.get(f"{checked.base}/demo/centre").text
    assert "<h1>The demo centre</h1>" in demo and "64395" in demo
    assert "<input id=" not in demo and "(needed)" not in demo
    assert f'<a href="{checked.base}/centre">Back to your own centre' in demo
    assert f'href="{checked.base}/demo/files"' in page  # its pages stay in the demo
    own = checked.get("results").text
    assert "invented demo centre" not in own
    # The demo's details cannot be saved over, and no file can be uploaded into it.
    before = (ws.root / "demo" / "centre.toml").read_bytes()
    assert checked.post("demo/centre", {"name": "Mine"}).status_code == 303
    assert (ws.root / "demo" / "centre.toml").read_bytes() == before
    assert checked.post("demo/check", files=demo_files()).status_code == 303
    assert "Save the centre" not in checked.get("demo/centre").text


def test_the_progress_page_refreshes_itself_without_javascript(checked: Site) -> None:
    from ctforms.web.jobs import Job

    job = Job(as_of=__import__("datetime").date(2024, 6, 10))
    job.step("Filling the forms")
    job.part(0.5)
    assert job.percent == int(100 * 3.5 / 6)
    assert job.step_name == "Filling the forms"
    saved = checked.client.app.state.site.runner.job  # type: ignore[attr-defined]
    checked.client.app.state.site.runner.job = job  # type: ignore[attr-defined]
    try:
        r = checked.get("check/progress")
    finally:
        checked.client.app.state.site.runner.job = saved  # type: ignore[attr-defined]
    assert '<meta http-equiv="refresh" content="1">' in r.text
    assert "Step 4 of 6: Filling the forms." in r.text
    assert "<script" not in r.text


# ---------------------------------------------------------------------------- results


def _issue_ids(html: str) -> list[str]:
    return re.findall(r'id="issue-([^"]+)"', html)


def test_results_show_the_summary_and_every_issue_most_urgent_first(checked: Site) -> None:
    r = checked.get("results")
    assert r.status_code == 200
    register = checked.workspace.run_folder(None).register()  # type: ignore[union-attr]
    s = register.summary
    for label, n in (
        ("Students checked", s.students_checked),
        ("At risk", s.students_at_risk),
        ("Blocking, not yet handled", s.blocking_unhandled),
    ):
        assert re.search(rf"<dt>{label}</dt><dd>{n}</dd>", r.text), label
    order = [i.id for i in by_urgency(register.issues)]
    assert _issue_ids(r.text) == order
    first = by_urgency(register.issues)[0]
    assert who(first).split()[0] in r.text.split('id="issue-')[1]
    assert "ctforms run" not in r.text and "ctforms forms" not in r.text


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("severity=warning", lambda i: i.severity.value == "warning"),
        ("qualification=05839", lambda i: i.qualification_code in ("05839", None)),
        ("kind=incorrect-claim", lambda i: i.kind.value == "incorrect-claim"),
        ("overdue=1", lambda i: i.overdue and not i.handled),
        ("severity=blocking&overdue=1", lambda i: i.severity.value == "blocking" and i.overdue),
    ],
)
def test_results_filter(checked: Site, query: str, keep: object) -> None:
    register = checked.workspace.run_folder(None).register()  # type: ignore[union-attr]
    want = [i.id for i in by_urgency(register.issues) if keep(i)]  # type: ignore[operator]
    assert want, "the demo has issues of each filter"
    assert _issue_ids(checked.get(f"results?{query}").text) == want


def test_a_qualification_filter_keeps_its_students_issues_that_carry_no_code(
    checked: Site,
) -> None:
    """Trial 2, finding 1: 0016 Walsh (listed twice, blocking) and 0007 Okafor, both entered
    for 05839, vanished when the Results were filtered to 05839."""
    register = checked.workspace.run_folder(None).register()  # type: ignore[union-attr]
    twice = [i.id for i in register.issues if i.kind.value == "duplicate-candidate"]
    assert {i.split("/")[1] for i in twice} == {"0016", "0007"}
    shown = _issue_ids(checked.get("results?qualification=05839").text)
    assert set(twice) <= set(shown)
    assert not set(twice) & set(_issue_ids(checked.get("results?qualification=05838").text))


def test_each_issue_links_to_the_file_made_for_it(checked: Site) -> None:
    html = checked.get("results").text
    register = checked.workspace.run_folder(None).register()  # type: ignore[union-attr]
    claim = next(i for i in register.issues if i.id == "incorrect-claim/0033/05835/5")
    block = html.split(f'id="issue-{claim.id}"')[1].split("</li>\n")[0]
    link = re.search(r'href="([^"]+64395-incorrect-unit-grade-claimed\.xlsx)"', block)
    assert link is not None
    r = checked.client.get(link[1])
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # A claim whose visit is still ahead is put right in Interchange: no form is offered.
    ahead = html.split('id="issue-incorrect-claim/0015/05839/12"')[1].split("</li>\n")[0]
    assert "Correct the claim in Interchange" in ahead
    assert "incorrect-unit-grade-claimed.xlsx" not in ahead


# ---------------------------------------------------------------------------- files


def test_files_lists_every_output_with_what_it_is_for_and_where_it_goes(checked: Site) -> None:
    r = checked.get("files")
    run = checked.workspace.run_folder(None)
    assert run is not None
    for path in run.files():
        assert f">{path.name}</a>" in r.text
    assert "Interchange" in r.text and "Progress Tracker" in r.text
    assert "Made by this check" not in r.text  # every output has its own line
    assert r.text.count('<th scope="row" class="file-name" data-label="File">') == len(run.files())
    # Finding 7: the pack goes in the centre's files; the caveats inside the files are said.
    pack = r.text.split(">64395-declaration-evidence-pack.pdf</a>")[1].split("</tr>")[0]
    assert "The centre&#39;s files: kept as the evidence for the declaration" in pack
    edi = r.text.split(".X01</a>")[1].split("</tr>")[0]
    assert "confirm them with your MIS supplier" in edi
    # Issue 21, item 3: which file of the series it is, and what to do with it.
    assert "The series&#39; entries file: upload it once" in edi
    assert "every later file of the series is an amendment (A) file" in edi
    assert "the listing says what to send OCR another way" in edi
    form = r.text.split(">64395-incorrect-unit-grade-claimed.xlsx</a>")[1].split("</tr>")[0]
    assert "check them against OCR&#39;s current form" in form
    issues = r.text.split(">issues.json</a>")[1].split("</tr>")[0]
    assert "you need not open it" in issues and "register" not in issues
    for label in ("File", "What it is for", "Where it goes", "Size"):
        assert f'data-label="{label}"' in r.text  # said beside each value on a narrow screen


def test_every_file_downloads_as_itself(checked: Site) -> None:
    run = checked.workspace.run_folder(None)
    assert run is not None
    for path in run.files():
        r = checked.get(f"files/{run.id}/{path.name}")
        assert r.status_code == 200
        assert r.content == path.read_bytes()
        assert "attachment" in r.headers["content-disposition"]


@pytest.mark.parametrize(
    "name",
    ["..%2Fcentre.toml", "..%2F..%2Fcentre.toml", ".hidden", "missing.pdf", "%2Fetc%2Fpasswd"],
)
def test_a_download_never_reaches_outside_the_run(checked: Site, name: str) -> None:
    run = checked.workspace.run_folder(None)
    assert run is not None
    r = checked.get(f"files/{run.id}/{name}")
    assert r.status_code == 404
    assert checked.get("files/..%2F/centre.toml").status_code == 404


def test_the_archive_verifies_and_a_change_is_seen(checked: Site, tmp_path: Path) -> None:
    run = checked.workspace.run_folder(None)
    assert run is not None
    r = checked.post(f"files/{run.id}/verify")
    assert r.status_code == 200 and "Intact: all" in r.text


def test_a_fault_of_ctforms_is_a_page_in_words_not_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ctforms.web import centre_form

    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(centre_form, "values_of", broken)
    r = site.get("centre")
    assert r.status_code == 500
    assert "Something went wrong" in r.text and "Traceback" not in r.text
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom" in err


def test_the_workspace_is_made_owner_only(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "new")
    assert ws.open() == []
    assert stat.S_IMODE(ws.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(ws.runs.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert "can be read by other users" in Workspace(loose).open()[0]


def test_the_page_says_whether_the_workspace_is_private(tmp_path: Path) -> None:
    """The footer's promise holds only when it is true (trial: a folder others could read)."""
    private = make_site(tmp_path / "private").get("").text
    assert "readable only by you" in private and "other users" not in private
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o755)
    page = make_site(loose).get("").text
    assert "readable only by you" not in page
    assert "a folder other users of this computer can read: make it private" in page


def test_the_app_serves_its_own_stylesheet(site: Site) -> None:
    r = site.get("static/style.css")
    assert r.status_code == 200 and "focus" in r.text
    assert "http" not in r.text.replace("https://", "")  # no asset from elsewhere


def test_make_app_is_independent_per_start(tmp_path: Path) -> None:
    a = TestClient(make_app(Workspace(tmp_path), Keys(PORT)), base_url=HOST)
    assert a.get("/").status_code == 403


# ---------------------------------------------------------------------------- decisions


@pytest.fixture
def fresh(tmp_path: Path, checked_demo: Path) -> Site:
    """The demo's files checked in a workspace of the test's own (it records into records.xlsx):
    a copy of the session's `checked_demo`."""
    return copy_site(checked_demo, tmp_path / "ws")


def _check_again(site: Site) -> Register:
    assert site.post("check/again").status_code == 303
    assert site.wait().status_code == 303
    run = site.workspace.run_folder(None)
    assert run is not None
    return run.register()


@pytest.mark.slow  # several whole checks in a row
@pytest.mark.parametrize("choice", ["yes", "no"])
def test_a_decision_is_recorded_where_the_cli_reads_it(fresh: Site, choice: str) -> None:
    proposal = fresh.get("decisions").text
    assert 'name="proposal" value="0012/05838"' in proposal
    r = fresh.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": choice, "by": "Ben Okoro", "date": "2024-06-12"},
    )
    assert r.status_code == 303  # a refresh does not send the form again
    r = fresh.client.get(r.headers["location"])
    assert "Recorded for candidate 0012" in r.text
    # Trial 2, finding 5: the decision just recorded is the one chosen on the page.
    checked_ = re.search(r'id="(yes|no)-0012/05838"[^>]*value="\w+" checked', r.text)
    assert checked_ is not None and checked_[1] == choice
    if choice == "yes":
        assert "confirmed: goes into the entries file at the next check" in r.text
    assert "goes in only if you confirm it above" not in r.text
    rows = read_records(fresh.workspace.root / "records.xlsx").entry_decisions or []
    mine = [d for d in rows if (d.candidate_number, d.qualification_code) == ("0012", "05838")]
    assert [d.make_change for d in mine] == [choice == "yes"]
    register = _check_again(fresh)
    issue = next(i for i in register.issues if i.kind.value == "move-down-available")
    assert issue.decision is not None and issue.decision.make_change is (choice == "yes")
    # The command line, given the same files, agrees.
    ws = fresh.workspace.root
    sources = Sources(
        ws / "tracker.csv", ws / "centre.toml", ws / "records.xlsx", (ws / "rules.xlsx",)
    )
    cli_register = pipeline.check(sources, register.as_of)

    def verdicts(r: Register) -> list[tuple[object, ...]]:
        # A run's register also names the entries file a decided change went in; a check's
        # cannot, so the texts may differ by that alone.
        return [
            (
                i.id,
                i.severity,
                i.handled,
                i.decision and i.decision.model_dump(exclude={"entries_file"}),
            )
            for i in r.issues
        ]

    assert verdicts(cli_register) == verdicts(register)
    assert cli_register.summary == register.summary


@pytest.mark.slow  # several whole checks in a row
@pytest.mark.parametrize("choice", ["yes", "no"])
def test_results_show_what_a_decision_answers(fresh: Site, choice: str) -> None:
    """Issue 17, item 7: a confirmed move-down closes 0012's glh-short (decided, no longer
    blocking); keeping the entry leaves it blocking, saying who decided and when."""
    r = fresh.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": choice, "by": "Ben Okoro", "date": "2024-06-12"},
    )
    assert r.status_code == 303
    _check_again(fresh)
    page = fresh.get("results").text

    def block(issue_id: str) -> str:
        return page.split(f'id="issue-{issue_id}"')[1].split('<li class="issue')[0]

    glh, move = block("glh-short/0012/05839/-"), block("move-down-available/0012/05839/-")
    blocking = re.search(r"Blocking, not yet handled</dt><dd>(\d+)</dd>", page)
    assert blocking is not None
    if choice == "yes":
        assert int(blocking[1]) == 20  # the demo alone has 21
        assert '<span class="tag info">For information</span>' in glh
        assert '<span class="tag ok">Decided</span>' in glh
        assert (
            "<dt>Decided</dt><dd>Move-down to 05838 confirmed in Entry Decisions; in"
            " E6439572.X02 (Wednesday 12 June 2024, by Ben Okoro).</dd>"
        ) in glh
        assert "Mark this issue handled" not in glh  # nothing left to do for it
        # The change itself can still be marked done once the file is uploaded.
        assert '<span class="tag ok">Decided</span>' in move and "Mark this issue handled" in move
    else:
        assert int(blocking[1]) == 21
        assert '<span class="tag blocking">Blocking</span>' in glh and "Decided" not in glh
        assert "move-down to 05838 declined by Ben Okoro on 12/06/2024" in glh
        assert "Mark this issue handled" in glh


def test_a_decision_without_a_choice_or_a_name_is_said_beside_them(fresh: Site) -> None:
    before = (fresh.workspace.root / "records.xlsx").read_bytes()
    r = fresh.post("decisions/entry", {"proposal": "0012/05838", "by": " ", "date": "soon"})
    assert r.status_code == 400
    assert "Choose whether to make the change" in r.text
    assert "Type the name of the person who decided" in r.text
    assert "Give the date it was decided" in r.text
    assert (fresh.workspace.root / "records.xlsx").read_bytes() == before


@pytest.mark.slow  # several whole checks in a row
def test_an_issue_marked_handled_shows_handled_at_the_next_check(fresh: Site) -> None:
    register = fresh.workspace.run_folder(None).register()  # type: ignore[union-attr]
    first = by_urgency(register.issues)[0]
    page = fresh.get(f"decisions?issue={first.id}").text
    assert f'<option value="{first.id}" selected>' in page
    r = fresh.post(
        "decisions/handled",
        {
            "issue": first.id,
            "action": "Visit booked with the moderator",
            "handled_by": "Ben Okoro",
            "handled_on": "2024-06-12",
            "ocr_reference": "REF-1",
        },
    )
    assert r.status_code == 303
    r = fresh.client.get(r.headers["location"])
    assert f"Recorded as handled: {issue_label(first)}." in r.text.replace("&#39;", "'")
    again = _check_again(fresh)
    issue = next(i for i in again.issues if i.id == first.id)
    assert issue.handled and issue.handled_by is not None
    assert issue.handled_by.action_taken == "Visit booked with the moderator"
    assert again.summary.blocking_unhandled == register.summary.blocking_unhandled - 1


def test_marking_handled_needs_an_issue_and_what_was_done(fresh: Site) -> None:
    r = fresh.post("decisions/handled", {"issue": "no/such", "action": "", "handled_by": "B"})
    assert r.status_code == 400
    assert "Choose the issue you handled" in r.text and "Say in a sentence" in r.text


def test_a_recorders_name_is_refused_beside_its_field_in_the_pages_words(fresh: Site) -> None:
    """The library says which input is wrong (errors.Field "by"); the page puts it beside the
    name field, without the sheet and column the CLI names (issue 22)."""
    register = fresh.workspace.run_folder(None).register()  # type: ignore[union-attr]
    form = {
        "issue": register.issues[0].id,
        "action": "Visit booked",
        "handled_on": "2024-06-12",
    }
    for name, said in (
        ("B. Example", "Your name is an example name ('B. Example'); give your own name."),
        ("=cmd()", "Starts with '=', which a spreadsheet would take for a formula"),
    ):
        r = fresh.post("decisions/handled", form | {"handled_by": name})
        assert r.status_code == 400
        beside = html.unescape(error_beside(r.text, "handled_by") or "")
        assert said in beside and "records.xlsx" not in beside and "--" not in beside


# ---------------------------------------------------------------------------- sign-off


def test_sign_off_is_refused_while_blocking_issues_remain_unless_a_reason_is_typed(
    fresh: Site,
) -> None:
    form = {"signed_by": "Ben Okoro", "role": "Exams Officer", "confirm": "yes"}
    r = fresh.post("sign-off", form)
    assert r.status_code == 400
    assert "blocking issues are not handled" in (error_beside(r.text, "reason") or "")
    run = fresh.workspace.run_folder(None)
    assert run is not None
    signed = run.path / "64395-declaration-signed-off.pdf"
    assert not signed.exists()
    assert 'name="confirm" value="yes" checked' in r.text  # the tick is kept as it was left
    r = fresh.post("sign-off", form | {"reason": "Visits rebooked for 20 June"})
    assert r.status_code == 303  # a refresh does not sign off again
    r = fresh.client.get(r.headers["location"])
    assert "Signed off by Ben Okoro (Exams Officer) with 21 blocking" in r.text
    # Trial 2, finding 4: the result first, the form folded away under "Sign off again".
    assert r.text.index('id="signed"') < r.text.index('<details class="again">')
    assert "Sign off again (replaces the signed-off pack)" in r.text
    assert 'name="confirm" value="yes" checked' not in r.text
    assert signed.read_bytes()[:5] == b"%PDF-"
    assert stat.S_IMODE(signed.stat().st_mode) == 0o600
    assert "64395-declaration-signed-off.pdf" in fresh.get("files").text


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"confirm": ""}, "confirm", "Tick the box"),
        ({"role": "Head of Department"}, "role", "Only the 'Exams Officer' role"),
        ({"signed_by": ""}, "signed_by", "Type the name"),
        ({"signed_by": "B. Example"}, "signed_by", "is an example name ('B. Example'); type the"),
    ],
)
def test_sign_off_says_what_is_missing_beside_it(
    fresh: Site, change: dict[str, str], field: str, said: str
) -> None:
    form = {
        "signed_by": "Ben Okoro",
        "role": "Exams Officer",
        "confirm": "yes",
        "reason": "Visits rebooked for 27 June",
    }
    r = fresh.post("sign-off", form | change)
    assert r.status_code == 400
    beside = error_beside(r.text, field) or ""
    assert said in beside and "--" not in beside


# ---------------------------------------------------------------------------- rules


def test_the_rules_page_says_what_is_known_of_each_qualification(checked: Site) -> None:
    page = checked.get("rules").text
    for code, state in (
        ("05839", "fully known"),
        ("05843", "partly known"),
        ("05847", "not known"),
    ):
        row = page.split(f'<th scope="row" data-label="Qualification">{code}')[1].split("</tr>")[0]
        assert state in row, code
    r = checked.get("rules/template")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert 'filename="64395-rules.xlsx"' in r.headers["content-disposition"]


def test_a_filled_rules_workbook_is_checked_before_it_is_saved(fresh: Site) -> None:
    saved = fresh.workspace.root / "rules.xlsx"
    before = saved.read_bytes()
    bad = {"rules": ("rules.xlsx", b"PK not really a workbook")}
    r = fresh.post("rules", files=bad)
    assert r.status_code == 400
    assert "not a readable Excel workbook" in (error_beside(r.text, "rules") or "")
    assert saved.read_bytes() == before
    good = fresh.get("rules/template").content
    r = fresh.post("rules", files={"rules": ("filled.xlsx", good)})
    assert r.status_code == 303
    assert "Saved the rules workbook" in fresh.client.get(r.headers["location"]).text
    assert saved.read_bytes() == good
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


# ------------------------------------------------------------------ keeping what was recorded


def _record_move_down(site: Site) -> None:
    r = site.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro", "date": "2024-06-12"},
    )
    assert r.status_code == 303, r.text


@pytest.mark.slow  # several whole checks in a row
def test_an_older_records_workbook_is_refused_rather_than_lose_what_was_recorded(
    fresh: Site,
) -> None:
    """Finding 2: choosing the officer's own records.xlsx again once silently dropped the
    decisions recorded on the Decisions page (they live only in ctforms' copy)."""
    _record_move_down(fresh)
    saved = fresh.workspace.root / "records.xlsx"
    recorded = saved.read_bytes()
    runs = [r.id for r in fresh.workspace.run_folders()]
    files = {"records": ("my-records.xlsx", (DEMO / "records.xlsx").read_bytes())}
    r = fresh.post("check", {"as_of": "2024-06-10"}, files=files)
    assert r.status_code == 400
    beside = error_beside(r.text, "records") or ""
    assert (
        "'my-records.xlsx' does not have 1 thing recorded on the Decisions or Files page" in beside
    )
    assert (
        "the decision for candidate 0012 (move to 05838: make the change), by Ben Okoro" in r.text
    )
    assert f'href="{fresh.base}/records.xlsx"' in r.text
    assert "lose the 1 thing recorded here" in r.text
    assert saved.read_bytes() == recorded
    assert [r.id for r in fresh.workspace.run_folders()] == runs
    # The chosen file is kept: ticking the box is enough, it need not be chosen again.
    assert "Kept from your last try: \u2018my-records.xlsx\u2019" in r.text
    assert "used only if you tick the box to replace ctforms' copy" in r.text
    assert "that were not refused are kept" not in r.text
    # Trial 2, finding 2: the page shown again (GET) still offers the box beside the kept file.
    again = fresh.get("check").text
    assert "used if you leave this empty and tick the box below" in again
    assert 'id="replace_records"' in again and "\u2018my-records.xlsx\u2019 does not have" in again
    # Left empty without the box: refused again, with the same words (not silently used).
    nothing = {"records": ("", b"")}
    r = fresh.post("check", {"as_of": "2024-06-10"}, files=nothing)
    assert r.status_code == 400
    assert (error_beside(r.text, "records") or "").startswith("'my-records.xlsx' does not have")
    nothing = {"records": ("", b"")}  # the browser sends an empty file input as this
    r = fresh.post("check", {"as_of": "2024-06-10", "replace_records": "yes"}, files=nothing)
    assert r.status_code == 303
    assert fresh.wait().status_code == 303
    assert saved.read_bytes() == (DEMO / "records.xlsx").read_bytes()


@pytest.mark.slow  # several whole checks in a row
def test_a_lost_action_is_named_by_who_and_kind_not_its_id(fresh: Site) -> None:
    register = fresh.workspace.run_folder(None).register()  # type: ignore[union-attr]
    visit = next(i for i in register.issues if i.id == "visit-not-scheduled/-/05847/-")
    form = {"issue": visit.id, "action": "Visit booked", "handled_by": "Ben Okoro"}
    assert fresh.post("decisions/handled", form).status_code == 303
    files = {"records": ("records.xlsx", (DEMO / "records.xlsx").read_bytes())}
    r = fresh.post("check", {"as_of": "2024-06-10"}, files=files)
    assert r.status_code == 400
    said = f"what was done about {who(visit)}: Moderation visit not booked"
    assert said in r.text.replace("&#39;", "'")
    assert "visit-not-scheduled/-/05847/-" not in r.text
    # Check again says it uses the saved files, and forgets the kept one.
    assert "not those kept from your last try, which are then forgotten" in r.text
    _check_again(fresh)
    assert fresh.workspace.kept() == {}
    assert "Kept from your last try" not in fresh.get("check").text


@pytest.mark.slow  # several whole checks in a row
def test_the_records_workbook_with_what_was_recorded_downloads(fresh: Site) -> None:
    _record_move_down(fresh)
    page = fresh.get("decisions").text
    assert "Download your records workbook (with what you recorded here)" in page
    assert "copy of your records workbook that ctforms keeps" in page
    assert "Download your records workbook" in fresh.get("files").text
    r = fresh.get("records.xlsx")
    assert r.status_code == 200
    assert r.content == (fresh.workspace.root / "records.xlsx").read_bytes()
    assert 'filename="records.xlsx"' in r.headers["content-disposition"]
    # The same workbook chosen again is accepted: it has everything recorded.
    files = {"records": ("records.xlsx", r.content)}
    assert fresh.post("check", {"as_of": "2024-06-10"}, files=files).status_code == 303
    assert fresh.wait().status_code == 303


def test_nothing_is_recorded_while_a_check_runs(
    fresh: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check replaces records.xlsx when it finishes: a decision recorded meanwhile was lost."""
    runner = fresh.client.app.state.site.runner  # type: ignore[attr-defined]
    monkeypatch.setattr(runner, "busy", lambda: True)
    before = (fresh.workspace.root / "records.xlsx").read_bytes()
    r = fresh.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro", "date": "2024-06-12"},
    )
    assert r.status_code == 409 and "A check is running" in r.text
    r = fresh.post(
        "decisions/handled",
        {"issue": "x", "action": "Done", "handled_by": "Ben Okoro", "handled_on": "2024-06-12"},
    )
    assert r.status_code == 409 and "A check is running" in r.text
    r = fresh.post("rules", files={"rules": ("rules.xlsx", (DEMO / "rules.xlsx").read_bytes())})
    assert r.status_code == 409 and "A check is running" in (error_beside(r.text, "rules") or "")
    assert (fresh.workspace.root / "records.xlsx").read_bytes() == before


# ---------------------------------------------------------------------- the officer's findings


def _centre_values(**change: str) -> dict[str, str]:
    values = {
        "number": "64395",
        "name": "Riverside Sixth Form College",
        "head_of_centre": "Dr Margaret O'Neill",
        "officer_name": "Ben Okoro",
        "officer_email": "exams@riverside.example",
        "year": "2024",
    }
    return values | change


def test_every_centre_error_is_shown_at_once_each_beside_its_field(site: Site) -> None:
    r = site.post(
        "centre",
        _centre_values(
            number="1234",
            head_of_centre="",
            officer_name="",
            officer_email="",
            declaration_opens="2030-06-01",
        ),
    )
    assert r.status_code == 400
    for field, said in (
        ("number", "is not a 5-digit centre number"),
        ("head_of_centre", "Head of Centre is empty"),
        ("officer_name", "Exams Officer is empty"),
        ("officer_email", "email is empty"),
        ("declaration_opens", "is not in the 2024 series"),
    ):
        assert said in (error_beside(r.text, field) or ""), field
        assert f'href="#{field}"' in r.text
    assert not site.workspace.centre.exists()


def test_both_example_names_are_flagged_in_the_pages_words(site: Site) -> None:
    r = site.post(
        "centre", _centre_values(head_of_centre="Dr A. Example", officer_name="B. Example")
    )
    assert r.status_code == 400
    for field in ("head_of_centre", "officer_name"):
        beside = error_beside(r.text, field) or ""
        assert "still the example name" in beside and "then save" in beside, beside
        assert "run the check" not in beside and "centre.toml" not in beside


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        (
            {"number": "1234"},
            "number",
            'Centre number: "1234" is not a 5-digit centre number; write all 5 digits.',
        ),
        (
            {"declaration_opens": "2030-06-01"},
            "declaration_opens",
            "Declaration opens: 2030-06-01 is not in the 2024 series; check the year.",
        ),
        (
            {"tracker_frozen_from": "21/07/2024"},
            "tracker_frozen_from",
            'Tracker frozen from: "21/07/2024" is text; give a date.',
        ),
        (
            {"declaration_opens": "2024-06-30", "declaration_closes": "2024-06-21"},
            "declaration_closes",
            "Declaration closes is before the declaration opens; check both dates.",
        ),
        (
            {"year": "1999"},
            "year",
            "Results year: 1999 is not a year ctforms handles (2020 to 2100); write the summer in"
            " which results are expected.",
        ),
        (
            {"head_of_centre": "Dr A. Example"},
            "head_of_centre",
            "Head of Centre is still the example name 'Dr A. Example'; type the real name, then"
            " save.",
        ),
        (
            {"deputies": "Priya Shah; C. Example"},
            "deputies",
            "Deputies who may sign off: \u201cC. Example\u201d is an example name; list the real"
            " names of those who may sign off, or none.",
        ),
        (
            {"deputies": "Jane Smith, Tom Jones"},
            "deputies",
            "Separate the names with semicolons (Jane Smith; Tom Jones), and write each name"
            " without a comma.",
        ),
        (
            {"deputies": "Priya Shah; priya  shah"},
            "deputies",
            'Deputies who may sign off: "priya  shah" is listed twice; list each once.',
        ),
        (
            {"officer_email": "exams\x07@riverside.example"},
            "officer_email",
            "Exams Officer's email: holds control characters (invisible codes such as ESC);"
            " type the value plainly.",
        ),
    ],
)
def test_the_readers_error_is_worded_for_the_form_beside_its_field(
    site: Site, change: dict[str, str], field: str, said: str
) -> None:
    """The reader's error names its key as data (InputError.key): the page finds the field by
    it and says the reason with the field's label and no centre.toml spelling (issue 22)."""
    r = site.post("centre", _centre_values(**change))
    assert r.status_code == 400
    assert html.unescape(error_beside(r.text, field) or "") == said, r.text
    shown = re.findall(r'<p class="error" id="[^"]+-error">', r.text)
    assert shown == [f'<p class="error" id="{field}-error">'], shown  # beside that field only
    assert html.unescape(r.text).count(said) == 2  # and once in the summary, linked to it
    for toml in ("centre.toml", "ctforms init", "quotes", " = ", "[", "YYYY", "e.g."):
        assert toml not in said


@pytest.mark.parametrize("name", ["Jane Example", "Your name"])
def test_placeholder_names_are_refused_only_as_the_library_refuses_them(
    site: Site, name: str
) -> None:
    from ctforms.errors import InputError
    from ctforms.people import real_name

    try:
        real_name(name, ("exams_officer", "name"))
        refused = False
    except InputError:
        refused = True
    r = site.post("centre", _centre_values(officer_name=name))
    assert r.status_code == (400 if refused else 303)
    assert (error_beside(r.text, "officer_name") is not None) == refused


@pytest.mark.slow  # several whole checks in a row
def test_a_confirmed_move_down_is_shown_with_its_next_step(fresh: Site) -> None:
    """Finding 5: after confirming a move-down and checking again, the student's blocking
    issue looked untouched."""
    _record_move_down(fresh)
    register = _check_again(fresh)
    run = fresh.workspace.run_folder(None)
    assert run is not None
    edi = next(p.name for p in run.files() if p.suffix.startswith(".X"))
    glh = next(i for i in register.issues if i.id == "glh-short/0012/05839/-")
    page = fresh.get("results").text
    block = page.split(f'id="issue-{glh.id}"')[1].split("</li>\n")[0]
    # Issue 17, item 7: the confirmed move-down answers the shortfall: decided, nothing left
    # to mark for it; the change itself is marked once the file is uploaded.
    said = (
        "Move-down to 05838 confirmed by Ben Okoro on Wednesday 12 June 2024. It is in the"
        f" entries file {edi}."
    )
    assert said in block and "Mark this issue handled" not in block
    move = next(i for i in register.issues if i.kind.value == "move-down-available")
    block = page.split(f'id="issue-{move.id}"')[1].split("</li>\n")[0]
    assert "Move-down decided (change)" in block and "Decide on the move-down" not in block
    # The change itself stays open until it is uploaded (and recorded as sent).
    assert '<span class="tag warning">Warning</span>' in block
    assert (
        f"entries file {edi} (as the new 05838 entry): upload it in Interchange, then mark this"
        " issue handled. The 05839 entry is not withdrawn by EDI: the entries listing says how"
    ) in block
    decisions = fresh.get(f"decisions?issue={glh.id}").text
    assert said in decisions
    # The entries file's changes and why each is there: 0036 from the records, unasked.
    table = decisions.split('id="in-file"')[1].split("</table>")[0]
    assert "0012 " in table and "Confirmed by Ben Okoro" in table
    assert "0036 " in table and "Your records call for it" in table
    assert "Only a change you confirm goes into the entries file" not in decisions
    assert "goes in without asking" in decisions


def test_the_issue_list_tells_each_issue_apart(fresh: Site) -> None:
    page = fresh.get("decisions").text
    options = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', page)
    assert len(options) == len(set(options)), [o for o in options if options.count(o) > 1]
    assert not any(", :" in o for o in options)
    assert "all students of 05847: Moderation visit not booked" in options
    assert "0017 Evans, Rhys, 05839 unit 8: Mid-flight TAG missing" in options
    assert "Today (" in page  # the date fields say which day they start on, in words


@pytest.mark.slow  # several whole checks in a row
def test_what_was_done_reads_as_one_sentence(fresh: Site) -> None:
    register = fresh.workspace.run_folder(None).register()  # type: ignore[union-attr]
    first = by_urgency(register.issues)[0]
    form = {"issue": first.id, "action": "Reminder sent by email.", "handled_by": "Ben Okoro"}
    assert fresh.post("decisions/handled", form | {"handled_on": "2024-06-12"}).status_code == 303
    _check_again(fresh)
    block = fresh.get("results").text.split(f'id="issue-{first.id}"')[1].split("</li>")[0]
    assert "Reminder sent by email (Wednesday 12 June 2024, by Ben Okoro)." in block


def test_a_refusal_names_the_file_the_officer_chose(site: Site) -> None:
    save_demo_centre(site)
    files = {
        "tracker": ("records.xlsx", (DEMO / "records.xlsx").read_bytes()),
        "rules": ("rules.xlsx", (DEMO / "rules.xlsx").read_bytes()),
    }
    assert site.post("check", {"as_of": "2024-06-10"}, files=files).status_code == 303
    r = site.wait()
    assert r.status_code == 400
    beside = error_beside(r.text, "tracker") or ""
    assert beside.startswith("'records.xlsx'"), beside
    assert "tracker.csv" not in beside
    # The rules workbook chosen with it is kept for the next try.
    assert "Kept from your last try: \u2018rules.xlsx\u2019" in r.text
    assert set(site.workspace.kept()) == {"rules.xlsx"}
    assert site.post("check/forget").status_code == 303
    assert site.workspace.kept() == {}


def test_an_empty_file_is_said_to_be_empty(site: Site) -> None:
    save_demo_centre(site)
    r = site.post("check", {"as_of": "2024-06-10"}, files={"tracker": ("Tracker.csv", b"")})
    assert r.status_code == 413 or r.status_code == 400
    beside = error_beside(r.text, "tracker") or ""
    assert "'Tracker.csv' is empty" in beside and "Choose the Progress Tracker" not in beside
    assert "choose the files again" in r.text


def test_the_centre_is_asked_for_once(site: Site) -> None:
    r = site.post("check", {"as_of": "2024-06-10"}, files=demo_files())
    assert r.text.count("Fill in your centre") == 1
    assert site.get("check").text.count("the Centre page") == 1


def test_an_unknown_address_is_a_page_with_the_way_back(site: Site) -> None:
    r = site.get("no-such-page")
    assert r.status_code == 404
    assert "<html" in r.text and "no page at this address" in r.text
    assert f'href="{site.base}/"' in r.text
    assert site.get("demo/no-such-page").status_code == 404


def test_the_empty_pages_read_plainly(site: Site) -> None:
    assert "nothing to sign off yet" in site.get("sign-off").text
    assert "to show to show" not in site.get("results").text
    assert "no results to sign off" not in site.get("sign-off").text


def test_a_damaged_check_is_left_out_and_every_page_still_works(
    checked: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 12b: one unreadable issues.json in the newest run made every page fail."""
    good = checked.workspace.run_folder(None)
    assert good is not None
    bad = checked.workspace.runs / "2024-06-11-1"
    bad.mkdir()
    (bad / "issues.json").write_text("{ not json")
    try:
        for page in ("", "check", "results", "files", "decisions", "sign-off", "rules"):
            r = checked.get(page)
            assert r.status_code == 200, page
            assert "The check 2024-06-11-1 cannot be shown" in r.text, page
        assert checked.workspace.run_folder(None) == good
        assert "unexpected" not in capsys.readouterr().err
    finally:
        import shutil

        shutil.rmtree(bad)


@pytest.mark.slow  # several whole checks in a row
def test_sign_off_says_whether_this_check_is_signed_off(fresh: Site) -> None:
    page = fresh.get("sign-off").text
    assert "Not signed off yet." in page
    assert "not inside the check's archive" in page
    assert "Monday 10 June 2024, on its sign-off" in page
    form = {
        "signed_by": "Ben Okoro",
        "role": "Exams Officer",
        "confirm": "yes",
        "reason": "Visits rebooked for 27 June",
    }
    assert fresh.post("sign-off", form).status_code == 303
    today = __import__("ctforms.read.centre", fromlist=["long_date"]).long_date(
        __import__("datetime").date.today()
    )
    assert f"Signed off by Ben Okoro (Exams Officer) on {today}." in fresh.get("sign-off").text
    files = fresh.get("files").text
    assert "64395-declaration-signed-off.pdf" in files and ".signed-off.json" not in files
    # Trial 2, finding 3: a newer check says the earlier one was signed off, and Files marks it.
    first = fresh.workspace.run_folder(None)
    assert first is not None
    _check_again(fresh)
    page = fresh.get("sign-off").text
    assert (
        f"The check of Monday 10 June 2024 ({first.id}) was signed off by Ben Okoro (Exams"
        f" Officer) on {today}; this newer check"
    ) in page and "is not signed off yet." in page
    files = fresh.get("files").text.split('id="earlier"')[-1]
    assert f"{first.id}</a>: <strong>signed off</strong> by Ben Okoro" in files


def test_the_rules_workbook_can_be_made_before_any_check(site: Site) -> None:
    save_demo_centre(site)
    page = site.get("rules").text
    assert "Make the rules workbook" in page
    r = site.post(
        "rules/template", files={"tracker": ("Tracker.csv", (DEMO / "tracker.csv").read_bytes())}
    )
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert 'filename="64395-rules.xlsx"' in r.headers["content-disposition"]
    assert site.workspace.saved("tracker.csv") is None  # read, not kept
    r = site.post("rules/template", files={"tracker": ("Mine.csv", b"Surname\nSmith\n")})
    assert r.status_code == 400
    assert (error_beside(r.text, "tracker") or "").startswith("'Mine.csv'")


def test_names_go_in_the_calendar_only_when_the_box_is_ticked(checked: Site, site: Site) -> None:
    form = checked.get("check").text
    assert 'name="names_in_calendar"' in form
    assert not re.search(r'id="names_in_calendar"[^>]*checked', form)  # not ticked by default
    latest = checked.workspace.run_folder(None)
    assert latest is not None
    plain = (latest.path / "deadlines.ics").read_text("utf-8").replace("\n ", "")  # unfolded
    assert "Kowalczyk" not in plain and "candidate 0011" in plain
    save_demo_centre(site)
    # A form refused (no date) keeps the box as it was ticked.
    refused = site.post("check", {"as_of": "", "names_in_calendar": "yes"}, files=demo_files())
    assert refused.status_code == 400
    assert re.search(r'id="names_in_calendar"[^>]*checked', refused.text)
    asked = {"as_of": "2024-06-10", "names_in_calendar": "yes"}
    assert site.post("check", asked, files=demo_files()).status_code == 303
    assert site.wait().status_code == 303
    made = site.workspace.run_folder(None)
    assert made is not None
    named = (made.path / "deadlines.ics").read_text("utf-8").replace("\n ", "")
    assert "candidate 0011 Kowalczyk\\, " in named


def test_a_refused_form_says_error_first_in_its_title(site: Site) -> None:
    save_demo_centre(site)
    normal = site.get("check").text
    assert "<title>New check – ctforms</title>" in normal
    refused = site.post("check", {"as_of": "not a date"}, files=demo_files())
    assert refused.status_code == 400
    assert "<title>Error: New check – ctforms</title>" in refused.text
    assert "<h1>New check</h1>" in refused.text  # the heading stays the page's name
    missing = site.get("no-such-page")
    assert missing.status_code == 404 and "<title>Error: " in missing.text


# ---------------------------------------------------------------------------- a check not found


def _text(html: str) -> str:
    """The page's main words, tags dropped, spaces collapsed."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", main.split(">", 1)[-1]).split())


@pytest.mark.parametrize(
    "address",
    [
        "files?run=../../etc",
        "results?run=%2Fetc",
        "results?run=..%2F..%2Fcentre.toml",
        "files?run=2099-01-01-7",
        "files/2099-01-01-7/64395-entries-listing.xlsx",
    ],
)
def test_an_address_naming_no_check_says_so_and_links_the_latest(
    checked: Site, address: str
) -> None:
    latest = checked.workspace.run_folder(None)
    assert latest is not None
    r = checked.get(address)
    assert r.status_code == 404
    words = _text(r.text)
    assert "No check has been made" not in words  # one has: the address is what is wrong
    assert "named in this address was not found in this workspace" in words, words
    page = "results" if address.startswith("results") else "files"
    assert f"The latest check is {latest.id}: see its {page}." in words
    assert f'href="{checked.base}/{page}?run={latest.id}"' in r.text
    assert "etc" not in words and "passwd" not in words  # anyone's text is not echoed


def test_a_check_name_not_found_is_named(checked: Site) -> None:
    words = _text(checked.get("results?run=2099-01-01-7").text)
    assert "The check 2099-01-01-7 named in this address was not found" in words


def test_an_address_naming_a_check_before_any_is_made_says_both(site: Site) -> None:
    r = site.get("results?run=%2Fetc")
    assert r.status_code == 404
    words = _text(r.text)
    assert "named in this address was not found" in words
    assert "No check has been made in this workspace yet. Start one on New check." in words


def test_an_address_naming_a_damaged_check_says_it_cannot_be_read(site: Site) -> None:
    folder = site.workspace.runs / "2024-06-10-1"
    folder.mkdir()
    (folder / "issues.json").write_text("{", "utf-8")
    words = _text(site.get("results?run=2024-06-10-1").text)
    assert "The check 2024-06-10-1 cannot be shown: its list of issues cannot be read" in words
    assert "was not found" not in words


# ---------------------------------------------------------------------------- limits in words


def _inflating_records() -> bytes:
    """The demo's records.xlsx with a part that unpacks 1,000 times larger than it is stored."""
    import io
    import zipfile

    raw = io.BytesIO()
    with (
        zipfile.ZipFile(DEMO / "records.xlsx") as zin,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("xl/media/padding.bin", b"\0" * (3 << 20))
    return raw.getvalue()


def test_a_refused_workbook_says_the_limit_in_the_page_s_words(site: Site) -> None:
    save_demo_centre(site)
    files = {**demo_files(), "records": ("records.xlsx", _inflating_records())}
    r = site.post("check", {"as_of": "2024-06-10"}, files=files)
    if r.status_code == 303:  # read in the background: the refusal comes with the form again
        r = site.wait()
    beside = error_beside(r.text, "records") or ""
    assert "times larger than it is stored, more than any real workbook (limit 200x" in beside
    assert "README" not in r.text


def test_an_upload_over_its_limit_says_the_limit_not_the_readme(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctforms.web import app as web_app
    from ctforms.web.upload import FileField

    monkeypatch.setitem(web_app.UPLOADS, "rules", FileField("rules.xlsx", 1000, "the rules"))
    save_demo_centre(site)
    files = {"tracker": ("t.csv", b"x"), "rules": ("rules.xlsx", b"x" * 5000)}
    r = site.post("check", {"as_of": "2024-06-10"}, files=files)
    beside = error_beside(r.text, "rules") or ""
    assert "the limit is 1,000 bytes, far above any real file of its kind" in beside
    assert "README" not in r.text


def test_no_page_points_the_officer_to_the_readme() -> None:
    """The page explains itself: no template, and no sentence of the page's own code, sends the
    officer to the README (the command line's messages may point at documentation)."""
    import ast

    web = Path(__file__).resolve().parent.parent / "ctforms" / "web"
    said = [p.name for p in (web / "templates").rglob("*.html") if "README" in p.read_text()]
    for path in web.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        said += [
            f"{path.name}: {node.value[:60]!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "README" in node.value
            and id(node) not in docstrings
        ]
    assert said == []


def test_sign_off_with_the_centre_s_key_signs_the_pdf(fresh: Site, tmp_path: Path) -> None:
    """pyHanko signs with asyncio.run(): the page runs it off the server's event loop."""
    from conftest import invoke

    from ctforms.produce.signing import verify_pdf

    assert invoke("keys", "new", "-o", tmp_path / "keys").exit_code == 0
    centre = fresh.workspace.centre
    centre.write_text(
        centre.read_text("utf-8")
        + f'\n[signing]\nkey = "{tmp_path / "keys" / "centre-key.pem"}"\n'
        + f'cert = "{tmp_path / "keys" / "centre-cert.pem"}"\n',
        "utf-8",
    )
    form = {"signed_by": "Ben Okoro", "role": "Exams Officer", "confirm": "yes"}
    r = fresh.post("sign-off", form | {"reason": "Visits rebooked for 20 June"})
    assert r.status_code == 303, r.text
    page = fresh.client.get(r.headers["location"]).text
    assert "and signed digitally with the centre's key." in page
    run = fresh.workspace.run_folder(None)
    assert run is not None
    (report,) = verify_pdf(run.path / "64395-declaration-signed-off.pdf")
    assert report.intact


def test_an_amendment_file_is_described_as_one() -> None:
    from ctforms.web.words import describe_output

    said = describe_output("A6439572.X02", "64395")
    assert said.what.startswith("An amendment file adding entries: upload it after the series'")
    assert "(EDI file, new entries only)" in said.what and said.goes == "Interchange"
