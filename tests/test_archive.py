"""`ctforms archive` and `verify ARCHIVE.zip`: what goes in, what a change looks like, and the
limits that keep `verify` safe on a hostile zip. (Signed archives: test_signatures.py.)"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import invoke

from ctforms.errors import InputError
from ctforms.models import Register
from ctforms.pipeline import pack_and_archive
from ctforms.produce import archive as archive_module
from ctforms.produce.archive import MAX_MANIFEST_BYTES, MAX_MEMBERS, MAX_TOTAL_BYTES, write_archive


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory, demo_run: Path) -> Path:
    folder = tmp_path_factory.mktemp("archive") / "run"
    shutil.copytree(demo_run, folder)  # the module's own copy: a test may archive into it
    return folder


def _archive(tmp_path: Path, folder: Path) -> Path:
    out = tmp_path / "archive.zip"
    result = invoke("archive", folder, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _rezip(src: Path, dst: Path, change: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        names = zin.namelist()
        for name in names:
            if name in change and change[name] is None:
                continue
            data = change.get(name) or zin.read(name)
            zout.writestr(name, data)
        for name, extra in change.items():
            if name not in names and extra is not None:
                zout.writestr(name, extra)


def _manifest(files: list[tuple[str, int, str]]) -> bytes:
    return json.dumps(
        {
            "tool": "ctforms",
            "tool_version": "0.1.0",
            "as_of": None,
            "centre": None,
            "signed_by": None,
            "files": [{"path": p, "size": n, "sha256": h} for p, n, h in files],
        }
    ).encode()


# ---------------------------------------------------------------------------- what goes in


def test_archive_verifies_and_catches_changed_added_and_missing(
    tmp_path: Path, run_folder: Path
) -> None:
    out = _archive(tmp_path, run_folder)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    ok = invoke("verify", out)
    assert ok.exit_code == 0 and "OK" in ok.stdout
    assert "Not signed: this shows nothing changed since the manifest was written" in ok.stdout
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["as_of"] == "2024-06-10" and manifest["centre"] == "64395"
    assert manifest["signature"] is None
    assert {f["path"] for f in manifest["files"]} >= {"issues.json", "E6439572.X01"}

    original = zipfile.ZipFile(out).read("issues.txt")
    one_byte = bytearray(original)
    one_byte[10] ^= 0x20
    cases: dict[str, dict[str, bytes | None]] = {
        "changed": {"issues.txt": bytes(one_byte)},
        "added": {"extra.txt": b"slipped in"},
        "missing": {"E6439572.X01": None},
    }
    for what, change in cases.items():
        bad = tmp_path / f"{what}.zip"
        _rezip(out, bad, change)
        result = invoke("verify", bad)
        assert result.exit_code == 1, what
        name = next(iter(change))
        assert f"{what}: {name}" in result.stdout
        assert "OK" not in result.stdout


def test_a_flipped_byte_in_the_zip_file_is_caught(tmp_path: Path, run_folder: Path) -> None:
    out = _archive(tmp_path, run_folder)
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("issues.txt")
    data[info.header_offset + 30 + len("issues.txt") + 5] ^= 0xFF
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(bytes(data))
    result = invoke("verify", bad)
    assert result.exit_code == 1
    assert "changed: issues.txt" in result.stdout


def test_a_damaged_manifest_is_a_change_not_an_input_error(
    tmp_path: Path, run_folder: Path
) -> None:
    out = _archive(tmp_path, run_folder)
    for n, garbage in enumerate([b"{not json", b'{"files": "no"}', b"\xff" * 10]):
        bad = tmp_path / f"m{n}.zip"
        _rezip(out, bad, {"manifest.json": garbage})
        result = invoke("verify", bad)
        assert result.exit_code == 1, garbage
        assert "changed: manifest.json (damaged: not a readable manifest)" in result.stdout


def test_a_member_in_the_zip_twice_is_a_change(tmp_path: Path) -> None:
    data = b"hello\n"
    bad = tmp_path / "twice.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("manifest.json", _manifest([("a.txt", 6, hashlib.sha256(data).hexdigest())]))
        zf.writestr("a.txt", data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("a.txt", b"other!")
    result = invoke("verify", bad)
    assert result.exit_code == 1
    assert "changed: a.txt (in the zip twice)" in result.stdout


def test_archive_is_deterministic(tmp_path: Path, run_folder: Path) -> None:
    out = _archive(tmp_path, run_folder)
    again = tmp_path / "again.zip"
    assert invoke("archive", run_folder, "-o", again).exit_code == 0
    assert out.read_bytes() == again.read_bytes()


def test_archive_refuses_to_overwrite_and_bad_folders(tmp_path: Path, run_folder: Path) -> None:
    out = _archive(tmp_path, run_folder)
    result = invoke("archive", run_folder, "-o", out)
    assert result.exit_code == 2 and "(--force)" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("archive", empty, "-o", tmp_path / "e.zip")
    assert result.exit_code == 2 and "no files" in result.stderr
    assert not (tmp_path / "e.zip").exists()


def test_verify_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    other = tmp_path / "tracker.csv"
    other.write_text("Centre Number\n64395\n")
    result = invoke("verify", other)
    assert result.exit_code == 2
    assert "not a ctforms archive" in result.stderr


def _crowded_folder(tmp_path: Path) -> Path:
    """A folder holding, beside its one real file, everything that must stay out."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "issues.txt").write_text("the run's file\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("not the run's\n")
    (folder / "notes.txt").symlink_to("/etc/passwd")
    (folder / "secret-link.txt").symlink_to(secret)
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (folder / ".hidden").write_text("hidden\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.txt").write_text("inner\n")
    (folder / "x.tmp").write_text("killed run\n")
    (folder / ".issues.json.abc123.tmp").write_text("killed run\n")
    return folder


def test_archive_takes_only_the_folder_s_own_regular_files(tmp_path: Path) -> None:
    folder = _crowded_folder(tmp_path)
    out = tmp_path / "a.zip"
    result = invoke("archive", folder, "-o", out)
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(out).namelist() == ["issues.txt", "manifest.json"]
    for line in [
        "skipped .hidden: hidden",
        "skipped .issues.json.abc123.tmp: hidden",
        "skipped dangling.txt: a symbolic link",
        "skipped notes.txt: a symbolic link",
        "skipped secret-link.txt: a symbolic link",
        "skipped sub: a folder",
        "skipped x.tmp: a temporary file",
    ]:
        assert line in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == f"Wrote {out} (1 file)"
    assert invoke("verify", out).exit_code == 0


def test_archive_into_its_own_folder_leaves_itself_out(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    assert invoke("archive", folder, "-o", folder / "a.zip").exit_code == 0
    assert zipfile.ZipFile(folder / "a.zip").namelist() == ["a.txt", "manifest.json"]


def test_a_list_of_files_is_archived_exactly_and_a_link_in_it_is_refused(
    tmp_path: Path,
) -> None:
    folder = _crowded_folder(tmp_path)
    (folder / "other.txt").write_text("not listed\n")
    out = tmp_path / "a.zip"
    done = write_archive(folder, out, files=["issues.txt"])
    assert done.files == ["issues.txt"] and not done.skipped
    assert zipfile.ZipFile(out).namelist() == ["issues.txt", "manifest.json"]
    for name, why in [
        ("notes.txt", "is a symbolic link"),
        ("secret-link.txt", "is a symbolic link"),
        ("sub", "is not a regular file"),
        ("../secret.txt", "is not a file name"),
        ("gone.txt", "is not in"),
    ]:
        with pytest.raises(InputError, match=why):
            write_archive(folder, tmp_path / "b.zip", files=["issues.txt", name])
        assert not (tmp_path / "b.zip").exists()


def test_run_s_archive_holds_the_files_it_is_given_and_the_pack(
    tmp_path: Path, run_folder: Path
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    (folder / "keep.txt").write_text("not the run's\n")
    register = Register.model_validate_json((folder / "issues.json").read_bytes())
    for made in folder.glob("*-submission-archive.zip"):  # a run's stage holds none yet
        made.unlink()
    pack, archived = pack_and_archive(register, folder, ["issues.json", "issues.txt"], None)
    assert zipfile.ZipFile(archived).namelist() == [
        pack.name,
        "issues.json",
        "issues.txt",
        "manifest.json",
    ]
    assert stat.S_IMODE(archived.stat().st_mode) == 0o600


# ---------------------------------------------------------------------------- limits


def _zeros_zip(path: Path, size: int) -> None:
    """A zip whose one member is `size` zero bytes, written in a stream (a few hundred KB)."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("big.bin", "w") as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)


def _peak_while(*args: str | Path) -> tuple[int, int]:
    """verify's exit code and its peak Python memory (its time: benchmarks/bench_hostile.py)."""
    tracemalloc.start()
    try:
        result = invoke(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.exit_code, peak


@pytest.fixture(scope="module")
def zeros(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    size = 256 << 20
    path = tmp_path_factory.mktemp("bomb") / "zeros.zip"
    _zeros_zip(path, size)
    assert path.stat().st_size < 2 << 20
    return path, size


@pytest.mark.slow  # a 256 MB member
def test_a_highly_compressed_member_bigger_than_its_manifest_says_is_changed_quickly(
    tmp_path: Path, zeros: tuple[Path, int]
) -> None:
    bomb = tmp_path / "bomb.zip"
    shutil.copyfile(zeros[0], bomb)
    with zipfile.ZipFile(bomb, "a") as zf:  # the manifest claims a 10-byte file
        zf.writestr("manifest.json", _manifest([("big.bin", 10, "0" * 64)]))
    code, peak = _peak_while("verify", bomb)
    assert code == 1
    assert invoke("verify", bomb).stdout == "changed: big.bin\n"
    assert peak < 20 << 20


@pytest.mark.slow  # reads a 256 MB member
def test_a_large_member_is_hashed_in_a_stream(tmp_path: Path, zeros: tuple[Path, int]) -> None:
    path, size = zeros
    big = tmp_path / "big.zip"
    shutil.copyfile(path, big)
    with zipfile.ZipFile(big, "a") as zf:  # the right size, a wrong hash: all of it is read
        zf.writestr("manifest.json", _manifest([("big.bin", size, "0" * 64)]))
    code, peak = _peak_while("verify", big)
    assert code == 1
    assert peak < 20 << 20  # the member is 256 MB; reading it whole would peak above that


@pytest.mark.slow  # a 256 MB member
def test_the_stream_stops_once_a_member_is_longer_than_the_manifest_says(
    tmp_path: Path, zeros: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if the zip's own size record agreed with a lying manifest, no more than the
    manifest's size (and one chunk) is ever read."""
    path, size = zeros
    reads: list[int] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self: zipfile.ZipFile, name: object, *args: object, **kw: object) -> object:
        fh = real_open(self, name, *args, **kw)  # type: ignore[arg-type]
        real_read = fh.read

        def read(n: int = -1) -> bytes:
            data = real_read(n)
            reads.append(len(data))
            return data

        fh.read = read  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    entry = archive_module.ManifestFile(path="big.bin", size=3 << 20, sha256="0" * 64)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("big.bin")
        info.file_size = entry.size  # as if the zip's record had been forged to agree
        assert not archive_module._matches(zf, info, entry)
    assert sum(reads) <= entry.size + archive_module.CHUNK
    assert size > sum(reads)


def test_archives_past_the_limits_are_refused(tmp_path: Path) -> None:
    data = b"x"
    one = ("a.txt", 1, hashlib.sha256(data).hexdigest())
    cases: dict[str, tuple[dict[str, bytes], str]] = {
        "manifest": (
            {"manifest.json": _manifest([one]) + b" " * MAX_MANIFEST_BYTES, "a.txt": data},
            "a manifest.json over 4 MB",
        ),
        "members": (
            {
                "manifest.json": _manifest([one]),
                **{f"m{n}.txt": data for n in range(MAX_MEMBERS + 3)},
            },
            f"{MAX_MEMBERS + 4} members, more than {MAX_MEMBERS}",
        ),
        "declared": (
            {"manifest.json": _manifest([("a.txt", MAX_TOTAL_BYTES + 1, "0" * 64)]), "a.txt": data},
            "a manifest declaring over 1 GiB",
        ),
        "listed": (
            {
                "manifest.json": _manifest(
                    [(f"m{n}", 1, "0" * 64) for n in range(MAX_MEMBERS + 1)]
                ),
                "a.txt": data,
            },
            f"a manifest listing more than {MAX_MEMBERS} files",
        ),
    }
    for what, (members, message) in cases.items():
        path = tmp_path / f"{what}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, content in members.items():
                zf.writestr(name, content)
        result = invoke("verify", path)
        assert result.exit_code == 2, what
        assert result.stderr == (
            f"Error: {path.name}: refused: {message}, far more than any archive ctforms makes (a"
            " run's archive holds about 20 files, a few MB); check this is the archive ctforms"
            " wrote\n"
        )


def test_archive_refuses_a_folder_past_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_bytes(os.urandom(10))
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 2)
    result = invoke("archive", folder, "-o", tmp_path / "a.zip")
    assert result.exit_code == 2 and "more than 2 files" in result.stderr
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 10)
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 25)
    result = invoke("archive", folder, "-o", tmp_path / "a.zip")
    assert result.exit_code == 2 and "too much to archive" in result.stderr
    assert not (tmp_path / "a.zip").exists()
