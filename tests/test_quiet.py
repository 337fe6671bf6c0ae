"""Only ctforms' own words reach the officer: a dependency's warnings to its developers (pyHanko
importing cryptography's deprecated DSA) are silenced at the faces, not ctforms' own messages.

Through real processes: the warning comes when the signing stack is imported, which an
in-process CliRunner of this suite may already have done (and pytest catches warnings itself).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx2
import pytest
from conftest import DEMO, GOLDEN, invoke
from cryptography.utils import CryptographyDeprecationWarning

from ctforms.files.quiet import quiet_dependencies

REGISTER = GOLDEN / "demo-register.json"
SIGN_OFF = [
    "--signed-by", "Ben Okoro", "--role", "Exams Officer",
    "--allow-outstanding", "Visits rebooked for 27 June",
]  # fmt: skip


def _ctforms(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # The officer's environment: no PYTHONWARNINGS from a developer's shell.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return subprocess.run(
        [sys.executable, "-m", "ctforms", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _no_warning(done: subprocess.CompletedProcess[str]) -> None:
    assert "Warning" not in done.stderr, done.stderr
    assert "warnings.warn" not in done.stderr and "import " not in done.stderr, done.stderr


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("keys")
    assert invoke("keys", "new", "-o", base).exit_code == 0
    return base / "centre-key.pem", base / "centre-cert.pem"


@pytest.mark.slow  # a real ctforms or tool process
def test_declaration_and_verify_print_only_ctforms_words(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    key, cert = keys
    pack = tmp_path / "pack" / "pack.pdf"
    pack.parent.mkdir()
    made = _ctforms("declaration", REGISTER, *SIGN_OFF, "--sign", key, "--cert", cert, "-o", pack)
    assert made.returncode == 0, made.stderr
    _no_warning(made)
    assert made.stdout.startswith(f"Wrote {pack}: signed off by Ben Okoro"), made.stdout

    checked = _ctforms("verify", pack, "--cert", cert)
    assert checked.returncode == 0, checked.stderr
    _no_warning(checked)
    assert checked.stderr == ""

    unsigned = tmp_path / "unsigned.pdf"
    assert _ctforms("declaration", REGISTER, *SIGN_OFF, "-o", unsigned).returncode == 0
    plain = _ctforms("verify", unsigned)
    assert plain.returncode == 1  # not signed: said on stdout, nothing else on stderr
    _no_warning(plain)
    assert plain.stdout.strip().endswith("not signed"), plain.stdout

    archive = tmp_path / "signed.zip"
    assert (
        invoke("archive", pack.parent, "-o", archive, "--sign", key, "--cert", cert).exit_code == 0
    )
    whole = _ctforms("verify", archive, "--cert", cert)
    assert whole.returncode == 0, whole.stderr
    _no_warning(whole)


@pytest.mark.slow  # a real ctforms or tool process
def test_the_test_sees_the_warning_without_the_filter() -> None:
    """The dependency does warn when imported fresh: the test above can fail."""
    done = subprocess.run(
        [sys.executable, "-c", "import pyhanko.sign.signers.pdf_cms"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
        check=False,
    )
    if "CryptographyDeprecationWarning" not in done.stderr:
        pytest.skip("this pyHanko/cryptography pair raises no warning on import")
    quiet = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ctforms.files.quiet import quiet_dependencies; quiet_dependencies();"
            " import pyhanko.sign.signers.pdf_cms",
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
        check=False,
    )
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_only_dependencies_are_silenced() -> None:
    """A dependency's category or module is silenced; a warning from ctforms itself is not."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_dependencies()
        warnings.warn_explicit("DSA", CryptographyDeprecationWarning, "x.py", 1, module="ctforms.x")
        warnings.warn_explicit("old", FutureWarning, "pdf_cms.py", 1, module="pyhanko.sign")
        warnings.warn_explicit("old", UserWarning, "core.py", 1, module="cryptography.core")
        warnings.warn_explicit("ours", UserWarning, "pack.py", 1, module="ctforms.produce.pack")
        warnings.warn_explicit("a namesake", UserWarning, "a.py", 1, module="pyhankoish")
    assert [str(w.message) for w in caught] == ["ours", "a namesake"]


@pytest.mark.slow  # a real ctforms or tool process
@pytest.mark.skipif(sys.platform == "win32", reason="stopped by a POSIX signal")
def test_the_page_s_server_prints_no_dependency_warning(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    """A sign-off on the page signs the pack with the centre's key (centre.toml [signing]), which
    imports the signing stack inside the server: its warning must not reach the terminal."""
    key, cert = keys
    ws = tmp_path / "ws"
    ws.mkdir(mode=0o700)
    (ws / "centre.toml").write_text(
        (DEMO / "centre.toml").read_text("utf-8")
        + f'\n[signing]\nkey = "{key}"\ncert = "{cert}"\n',
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "CTFORMS_DEBUG")}
    server = subprocess.Popen(
        [sys.executable, "-m", "ctforms", "serve", str(ws), "--no-browser"],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    try:
        line = server.stdout.readline()
        while line and "http://" not in line:
            line = server.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+/)", line)
        assert found is not None, line
        client = httpx2.Client(base_url=found[1], timeout=300)
        form_key = re.search(r'name="form_key" value="([^"]+)"', client.get("check").text)
        assert form_key is not None
        files = {"tracker": ("tracker.csv", (DEMO / "tracker.csv").read_bytes())}
        data = {"form_key": form_key[1], "as_of": "2024-06-10"}
        assert client.post("check", data=data, files=files).status_code == 303
        while (progress := client.get("check/progress", follow_redirects=False)).status_code == 200:
            assert 'http-equiv="refresh"' in progress.text, progress.text
            time.sleep(0.1)  # the page refreshes itself; so does this test, until it is done
        assert "results?run=" in progress.headers["location"]
        # Signing off signs the PDF with the centre's key: pyHanko is imported here.
        signed = client.post(
            "sign-off",
            data={
                "form_key": form_key[1],
                "signed_by": "Ben Okoro",
                "role": "Exams Officer",
                "confirm": "yes",
                "reason": "Visits rebooked for 27 June",
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        assert "signed digitally with the centre's key" in client.get("sign-off?signed=1").text
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate()
    assert "ctforms has stopped." in out
    assert err == "", err
