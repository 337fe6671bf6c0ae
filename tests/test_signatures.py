"""Signatures that mean something: `keys new`, a signed pack or archive, and `verify --cert`,
which accepts only a signature made with that certificate (an impostor's key of the same name
is refused), as `gpg --verify` trusts a key's fingerprint, never its name."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO, DEMO_ARGS, GOLDEN, SIGN_OFF_ANYWAY, invoke
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ctforms.produce.signing import (
    check_detached,
    load_signer,
    load_trusted,
    mismatch,
    sign_detached,
)

NAME = "Riverside Sixth Form College"
REGISTER = GOLDEN / "demo-register.json"
NOTE = (
    "Only integrity was checked: anyone can make a key in any name. Give --cert CERT.pem (the"
    " centre's certificate) to prove who signed."
)


def _with_and_without(cert: Path) -> list[list[str | Path]]:
    return [["--cert", cert], []]


def _fingerprint(cert: Path) -> str:
    der = x509.load_pem_x509_certificate(cert.read_bytes()).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in der)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The centre's key pair and an impostor's, made in the same name."""
    base = tmp_path_factory.mktemp("keys")
    pairs = {}
    for who in ("centre", "impostor"):
        made = invoke("keys", "new", "-o", base / who, "--name", NAME)
        assert made.exit_code == 0, made.output
        pairs[who] = (base / who / "centre-key.pem", base / who / "centre-cert.pem")
    return pairs


def test_keys_new_writes_owner_only_files_and_prints_the_fingerprint(tmp_path: Path) -> None:
    made = invoke("keys", "new", "-o", tmp_path, "--name", NAME)
    assert made.exit_code == 0
    key, cert = tmp_path / "centre-key.pem", tmp_path / "centre-cert.pem"
    for path in (key, cert):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        made.stdout.splitlines()[-1] == f"Certificate fingerprint (SHA-256): {_fingerprint(cert)}"
    )


# ---------------------------------------------------------------------------- the PDF


def _signed_pack(tmp_path: Path, pair: tuple[Path, Path], name: str) -> Path:
    out = tmp_path / name
    result = invoke(
        "declaration", REGISTER, *SIGN_OFF_ANYWAY, "--sign", pair[0], "--cert", pair[1], "-o", out
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow  # signs two packs
def test_a_pack_verifies_only_with_the_certificate_that_signed_it(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    centre_cert = keys["centre"][1]
    real = _signed_pack(tmp_path, keys["centre"], "real.pdf")
    ok = invoke("verify", real, "--cert", centre_cert)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == f"{real}: signed by {NAME!r}: intact, with the certificate you gave\n"

    forged = _signed_pack(tmp_path, keys["impostor"], "forged.pdf")
    refused = invoke("verify", forged, "--cert", centre_cert)
    assert refused.exit_code == 1
    assert refused.stdout == (
        f"{forged}: signed by {NAME!r} but NOT with the certificate you gave (fingerprint"
        f" {_fingerprint(keys['impostor'][1])}, expected {_fingerprint(centre_cert)})\n"
    )
    # Without --cert only integrity is checked, and it says so.
    anyone = invoke("verify", forged)
    assert anyone.exit_code == 0
    assert anyone.stdout == f"{forged}: signed by {NAME!r}: intact\n{NOTE}\n"


def test_a_tampered_or_unsigned_pack_fails(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    pdf = _signed_pack(tmp_path, keys["centre"], "pack.pdf")
    data = bytearray(pdf.read_bytes())
    at = data.index(b"Checkpoint 2 evidence pack")  # in the signed document's info
    data[at] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    for extra in _with_and_without(keys["centre"][1]):
        bad = invoke("verify", tampered, *extra)
        assert bad.exit_code == 1
        assert "CHANGED since signing" in bad.stdout and NOTE not in bad.stdout
    plain = tmp_path / "plain.pdf"
    assert invoke("declaration", REGISTER, *SIGN_OFF_ANYWAY, "-o", plain).exit_code == 0
    for extra in _with_and_without(keys["centre"][1]):
        unsigned = invoke("verify", plain, *extra)
        assert unsigned.exit_code == 1 and unsigned.stdout == f"{plain}: not signed\n"


def test_a_damaged_pdf_signature_is_a_change(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    pdf = _signed_pack(tmp_path, keys["centre"], "pack.pdf")
    data = bytearray(pdf.read_bytes())
    start = data.index(b"/Contents <") + len(b"/Contents <")
    for offset in (0, 4, 200, 1000):  # the CMS blob's header, lengths, certificate, value
        bad = bytearray(data)
        bad[start + offset : start + offset + 8] = b"00000000"
        path = tmp_path / f"bad{offset}.pdf"
        path.write_bytes(bytes(bad))
        result = invoke("verify", path, "--cert", keys["centre"][1])
        assert result.exit_code == 1, (offset, result.output)
        assert "CHANGED" in result.stdout or "changed:" in result.stdout


def test_a_bad_cert_file_is_an_input_error(tmp_path: Path) -> None:
    not_cert = tmp_path / "cert.pem"
    not_cert.write_text("hello\n")
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    result = invoke("verify", pdf, "--cert", not_cert)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: cert.pem: the certificate: not a certificate (give the centre-cert.pem from"
        " 'ctforms keys new') (--cert)\n"
    )


# ---------------------------------------------------------------------------- the archive


@pytest.fixture(scope="module")
def signed(
    tmp_path_factory: pytest.TempPathFactory, keys: dict[str, tuple[Path, Path]], demo_run: Path
) -> Path:
    base = tmp_path_factory.mktemp("signed")
    folder = base / "run"
    shutil.copytree(demo_run, folder)
    out = base / "signed.zip"
    key, cert = keys["centre"]
    made = invoke("archive", folder, "-o", out, "--sign", key, "--cert", cert)
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines()[-1] == (
        f"Wrote {out} (16 files; manifest signed by {NAME!r} (certificate fingerprint"
        f" {_fingerprint(cert)}))"
    )
    again = base / "again.zip"
    assert invoke("archive", folder, "-o", again, "--sign", key, "--cert", cert).exit_code == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic, signature included
    return out


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _dump(manifest: dict[str, object]) -> bytes:
    return json.dumps(manifest, indent=2).encode() + b"\n"


def test_a_signed_archive_verifies_with_its_certificate(
    signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    manifest = json.loads(_members(signed)["manifest.json"])
    assert manifest["signature"]["file"] == "manifest.json.p7s"
    assert "CMS" in manifest["signature"]["scheme"]
    assert "manifest.json.p7s" not in {f["path"] for f in manifest["files"]}
    ok = invoke("verify", signed, "--cert", keys["centre"][1])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == (
        f"{signed}: OK (16 files, each matching the manifest)\n"
        f"Manifest signed by {NAME!r} with the certificate you gave.\n"
    )
    plain = invoke("verify", signed)
    assert plain.exit_code == 0
    assert plain.stdout == (
        f"{signed}: OK (16 files, each matching the manifest)\n"
        f"Manifest signed by {NAME!r} (certificate fingerprint"
        f" {_fingerprint(keys['centre'][1])}), but not checked against a certificate you"
        f" trust.\n{NOTE}\n"
    )


@pytest.mark.slow  # a real ctforms or tool process
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_checks_the_manifest_signature_too(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    members = _members(signed)
    (tmp_path / "manifest.json").write_bytes(members["manifest.json"])
    (tmp_path / "manifest.json.p7s").write_bytes(members["manifest.json.p7s"])
    done = subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-in", "manifest.json.p7s", "-content", "manifest.json",
            "-CAfile", str(keys["centre"][1]), "-purpose", "any", "-out", "/dev/null",
        ],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _forge_member(members: dict[str, bytes]) -> tuple[dict[str, bytes], bytes]:
    """issues.txt rewritten and its hash and size rewritten in the manifest to match."""
    import hashlib

    forged = dict(members)
    text = members["issues.txt"].replace(b"BLOCKING, not handled", b"BLOCKING, all handled", 1)
    assert text != members["issues.txt"]
    forged["issues.txt"] = text
    manifest = json.loads(members["manifest.json"])
    for f in manifest["files"]:
        if f["path"] == "issues.txt":
            f["size"], f["sha256"] = len(text), hashlib.sha256(text).hexdigest()
    forged["manifest.json"] = _dump(manifest)
    return forged, forged["manifest.json"]


CHANGED_MANIFEST = (
    "changed: manifest.json or its signature (the signature does not match the manifest)"
)


def test_forged_archives_fail_with_the_certificate(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    members = _members(signed)
    manifest = json.loads(members["manifest.json"])
    cases: dict[str, dict[str, bytes]] = {}
    cases["member rewritten with its hash"] = _forge_member(members)[0]
    one = manifest["files"][0]
    cases["manifest cut down to one file"] = {
        "manifest.json": _dump({**manifest, "files": [one]}),
        one["path"]: members[one["path"]],
        "manifest.json.p7s": members["manifest.json.p7s"],
    }
    cases["centre edited"] = {**members, "manifest.json": _dump({**manifest, "centre": "12345"})}
    cases["signed_by edited"] = {
        **members,
        "manifest.json": _dump({**manifest, "signed_by": "Ben Okoro"}),
    }
    for what, forged in cases.items():
        path = _write(tmp_path / "forged.zip", forged)
        for extra in _with_and_without(keys["centre"][1]):
            result = invoke("verify", path, *extra)
            assert result.exit_code == 1, (what, extra, result.output)
            assert result.stdout.splitlines()[0] == CHANGED_MANIFEST, what
            assert "OK" not in result.stdout


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda s: s[:1] + bytes([s[1] ^ 0xFF]) + s[2:], id="length byte"),
        pytest.param(lambda s: s[:30] + bytes([s[30] ^ 0x01]) + s[31:], id="unsigned digest list"),
        pytest.param(lambda s: s[:100] + bytes([s[100] ^ 0xFF]) + s[101:], id="header"),
        pytest.param(lambda s: s[:600] + bytes([s[600] ^ 0xFF]) + s[601:], id="certificate"),
        pytest.param(lambda s: s[:-10] + bytes([s[-10] ^ 0xFF]) + s[-9:], id="signature value"),
        pytest.param(lambda s: s[: len(s) // 2], id="truncated"),
        pytest.param(lambda s: b"", id="empty"),
        pytest.param(lambda s: b"-----BEGIN PKCS7-----\nnonsense\n", id="text"),
        pytest.param(lambda s: bytes(range(256)) * 4, id="garbage"),
    ],
)
def test_a_corrupted_signature_is_a_change_never_an_input_error(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]], corrupt: object
) -> None:
    members = _members(signed)
    assert callable(corrupt)
    members["manifest.json.p7s"] = corrupt(members["manifest.json.p7s"])
    path = _write(tmp_path / "corrupt.zip", members)
    for extra in _with_and_without(keys["centre"][1]):
        result = invoke("verify", path, *extra)
        assert result.exit_code == 1, result.output
        assert result.stderr == ""
        assert [x for x in result.stdout.splitlines() if x.startswith("changed: ")]
        assert "OK" not in result.stdout and "NOT with" not in result.stdout


@pytest.mark.slow  # every byte of a signature
def test_every_one_byte_change_to_the_signature_fails_with_the_certificate(
    signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    """Also in the parts CMS itself leaves unsigned (the outer digest list, the certificate's
    own bytes): ctforms accepts only the exact form it writes."""
    members = _members(signed)
    manifest, signature = members["manifest.json"], members["manifest.json.p7s"]
    trusted = load_trusted(keys["centre"][1])
    good = check_detached(manifest, signature)
    assert good.valid and not mismatch(good.signer, good.fingerprint, good.public_key, trusted)
    for at in range(len(signature)):
        changed = signature[:at] + bytes([signature[at] ^ 0x01]) + signature[at + 1 :]
        check = check_detached(manifest, changed)
        assert not check.valid or mismatch(
            check.signer, check.fingerprint, check.public_key, trusted
        ), at


def test_an_impostor_s_signature_fails_with_the_certificate(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    forged, manifest = _forge_member(_members(signed))
    impostor = load_signer(*keys["impostor"])
    forged["manifest.json.p7s"] = sign_detached(manifest, impostor)
    path = _write(tmp_path / "impostor.zip", forged)
    result = invoke("verify", path, "--cert", keys["centre"][1])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}: manifest signed by {NAME!r} but NOT with the certificate you gave (fingerprint"
        f" {_fingerprint(keys['impostor'][1])}, expected {_fingerprint(keys['centre'][1])})\n"
    )
    # Without a certificate it is only self-consistent, and verify says exactly that.
    anyone = invoke("verify", path)
    assert anyone.exit_code == 0
    assert "but not checked against a certificate you trust" in anyone.stdout
    assert anyone.stdout.endswith(NOTE + "\n")


def test_a_stripped_signature_fails(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    members = _members(signed)
    del members["manifest.json.p7s"]
    path = _write(tmp_path / "stripped.zip", members)
    result = invoke("verify", path)
    assert result.exit_code == 1 and "missing: manifest.json.p7s" in result.stdout
    # Also removed from the manifest: the archive is then unsigned, which --cert refuses.
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = _dump({**manifest, "signature": None})
    path = _write(tmp_path / "unsigned.zip", members)
    assert invoke("verify", path).exit_code == 0
    result = invoke("verify", path, "--cert", keys["centre"][1])
    assert result.exit_code == 1
    assert result.stdout == f"{path}: not signed: nothing shows who made it\n"


def test_archive_signing_options_are_checked(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    out = tmp_path / "a.zip"
    alone = invoke("archive", folder, "-o", out, "--sign", keys["centre"][0])
    assert alone.exit_code == 2 and "--sign and --cert go together" in alone.stderr
    mixed = invoke(
        "archive", folder, "-o", out, "--sign", keys["centre"][0], "--cert", keys["impostor"][1]
    )
    assert mixed.exit_code == 2
    assert mixed.stderr == (
        f"Error: the signing key {keys['centre'][0]}: this key does not belong to the"
        f" certificate {keys['impostor'][1]} (--sign)\n"
    )
    swapped = invoke(
        "archive", folder, "-o", out, "--sign", keys["centre"][1], "--cert", keys["centre"][0]
    )
    assert swapped.exit_code == 2 and "not a private key" in swapped.stderr
    assert not out.exists()


# ---------------------------------------------------------------------------- run


def _centre_with_key(tmp_path: Path, keys: dict[str, tuple[Path, Path]]) -> Path:
    shutil.copytree(keys["centre"][0].parent, tmp_path / "keys")
    toml = tmp_path / "centre.toml"
    toml.write_text(
        (DEMO / "centre.toml").read_text("utf-8")
        + '\n[signing]\nkey = "keys/centre-key.pem"\ncert = "keys/centre-cert.pem"\n',
        encoding="utf-8",
    )
    return toml


def _run_args(centre: Path, out: Path) -> list[str | Path]:
    args: list[str | Path] = list(DEMO_ARGS)
    args[args.index("--centre") + 1] = centre
    return ["run", *args, "-o", out]


def test_run_signs_the_archive_when_the_centre_names_a_key(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    centre = _centre_with_key(tmp_path, keys)
    out = tmp_path / "out"
    result = invoke(*_run_args(centre, out))
    assert result.exit_code == 0, result.output
    archived = out / "64395-submission-archive.zip"
    assert "manifest.json.p7s" in zipfile.ZipFile(archived).namelist()
    ok = invoke("verify", archived, "--cert", keys["centre"][1])
    assert ok.exit_code == 0, ok.output
    assert f"Manifest signed by {NAME!r} with the certificate you gave." in ok.stdout
    assert invoke("verify", archived, "--cert", keys["impostor"][1]).exit_code == 1


def test_run_names_the_centre_toml_key_of_a_missing_key_file(
    tmp_path: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    centre = _centre_with_key(tmp_path, keys)
    (tmp_path / "keys" / "centre-key.pem").unlink()
    result = invoke(*_run_args(centre, tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: centre.toml: [signing] key {tmp_path / 'keys' / 'centre-key.pem'}: cannot read"
        " it (No such file or directory)\n"
    )
    bad = centre.read_text("utf-8") + "colour = 'blue'\n"
    centre.write_text(bad, encoding="utf-8")
    result = invoke(*_run_args(centre, tmp_path / "out2"))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: centre.toml: [signing] colour: unknown key; check its spelling"
        " ('ctforms init' writes every key)\n"
    )


def test_a_damaged_manifest_in_a_signed_archive_is_one_change(
    tmp_path: Path, signed: Path, keys: dict[str, tuple[Path, Path]]
) -> None:
    members = _members(signed)
    members["manifest.json"] = b"{ not json"
    path = _write(tmp_path / "damaged.zip", members)
    result = invoke("verify", path, "--cert", keys["centre"][1])
    assert result.exit_code == 1
    assert result.stdout == "changed: manifest.json (damaged: not a readable manifest)\n"
