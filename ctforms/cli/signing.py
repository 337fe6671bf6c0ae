"""`ctforms keys`, `ctforms archive` and `ctforms verify`: the centre's keys, the archive with
its manifest, and checking an archive or a signed PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctforms.cli._shared import count
from ctforms.cli.app import Group, cli
from ctforms.errors import InputError
from ctforms.files.limits import PDF_MAX_BYTES, regular_file, too_big
from ctforms.options import (
    existing_file,
    force_option,
    output_file,
    output_folder,
)

if TYPE_CHECKING:
    from ctforms.produce.signing import Trusted


@cli.group(cls=Group)
def keys() -> None:
    """Keys for signing the evidence pack and the archive (needs ctforms[sign])."""


@keys.command("new")
@output_folder("Folder for the key pair.")
@click.option(
    "--name",
    default="Centre exams office",
    show_default=True,
    help="The certificate's name (your centre).",
)
@force_option
def keys_new(outdir: Path, name: str, force: bool) -> None:
    """Make a self-signed centre certificate and private key (owner-only files).

    Give the certificate (not the key) to whoever checks your packs and archives: they check
    with --cert, which compares its fingerprint. Anyone can make a key in your centre's name.

    \b
    Example:
        ctforms keys new -o keys/ --name "Riverside Sixth Form College"
    """
    from ctforms.produce.signing import load_trusted, new_keys

    key_path, cert_path = new_keys(outdir, name, force=force)
    click.echo(f"Wrote {key_path} (keep it private) and {cert_path}.")
    click.echo(f"Certificate fingerprint (SHA-256): {load_trusted(cert_path).fingerprint}")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@output_file("The archive (.zip) to write.")
@click.option("--signed-by", default=None, help="Who signed the declaration (for the manifest).")
@click.option(
    "--sign",
    "key",
    type=existing_file,
    default=None,
    help="Private key (PEM) to sign the manifest with (needs ctforms[sign]).",
)
@click.option("--cert", type=existing_file, default=None, help="Certificate (PEM) for --sign.")
@force_option
def archive(
    folder: Path,
    output: Path,
    signed_by: str | None,
    key: Path | None,
    cert: Path | None,
    force: bool,
) -> None:
    """Archive the files of FOLDER with a manifest of SHA-256 hashes (owner-only zip).

    Only FOLDER's own regular files go in: never a symbolic link, a hidden file, a subfolder or
    a leftover .tmp (each skipped one is named). With --sign/--cert the manifest is signed
    (manifest.json.p7s inside the zip), so 'verify --cert' proves who made the archive.

    \b
    Example:
        ctforms archive results-2024 -o results-2024.zip
        ctforms archive results-2024 -o results-2024.zip \\
            --sign keys/centre-key.pem --cert keys/centre-cert.pem
    """
    from ctforms.produce.archive import write_archive
    from ctforms.produce.signing import load_signer

    if (key is None) != (cert is None):
        raise InputError("--sign and --cert go together")
    signer = load_signer(key, cert) if key is not None and cert is not None else None
    done = write_archive(folder, output, force=force, signed_by=signed_by, signer=signer)
    for name, why in done.skipped:
        click.echo(f"skipped {name}: {why}")
    signed = (
        f"; manifest signed by {done.signer.name!r} (certificate fingerprint"
        f" {done.signer.fingerprint})"
        if done.signer
        else ""
    )
    click.echo(f"Wrote {output} ({count(len(done.files), 'file')}{signed})")


TRUST_NOTE = (
    "Only integrity was checked: anyone can make a key in any name."
    " Give --cert CERT.pem (the centre's certificate) to prove who signed."
)


@cli.command()
@click.argument("file", type=existing_file)
@click.option(
    "--cert",
    type=existing_file,
    default=None,
    help="The certificate the signature must be made with (the centre's, from ctforms keys"
    " new): accepted only if its fingerprint matches.",
)
def verify(file: Path, cert: Path | None) -> None:
    """Check an archive (every file against its manifest) or a signed PDF. Exit 1 if not intact
    or, with --cert, not signed with that certificate.

    \b
    Example:
        ctforms verify results-2024.zip --cert keys/centre-cert.pem
        ctforms verify pack.pdf --cert keys/centre-cert.pem
    """
    from ctforms.produce.signing import load_trusted

    trusted = load_trusted(cert) if cert is not None else None
    regular_file(file, "the file to verify")
    if file.suffix.lower() == ".pdf":
        size = file.stat().st_size
        if size > PDF_MAX_BYTES:
            raise InputError(too_big("the PDF", size, PDF_MAX_BYTES).detail, file=file)
        _verify_pdf(file, trusted)
    else:
        _verify_zip(file, trusted)


def _verify_pdf(file: Path, trusted: Trusted | None) -> None:
    from ctforms.produce.signing import DamagedPdf, mismatch, verify_pdf

    try:
        reports = verify_pdf(file)
    except DamagedPdf as exc:
        click.echo(f"changed: {file} ({exc})")
        raise SystemExit(1) from None
    if not reports:
        click.echo(f"{file}: not signed")
        raise SystemExit(1)
    good = True
    for r in reports:
        intact = r.intact and r.covers_whole_file
        good &= intact
        said = f"{file}: signed by {r.signer!r}: {'intact' if intact else 'CHANGED since signing'}"
        wrong = mismatch(r.signer, r.fingerprint, r.public_key, trusted) if trusted else ""
        if wrong:
            good = False
            click.echo(f"{file}: {wrong}")
        elif trusted is None:
            click.echo(said)
        else:
            click.echo(f"{said}, with the certificate you gave")
    if not good:
        raise SystemExit(1)
    if trusted is None:
        click.echo(TRUST_NOTE)


def _verify_zip(file: Path, trusted: Trusted | None) -> None:
    from ctforms.produce.archive import SIGNATURE, verify_archive
    from ctforms.produce.signing import mismatch

    verdict = verify_archive(file)
    for what, names in (
        ("changed", verdict.changed),
        ("added", verdict.added),
        ("missing", verdict.missing),
    ):
        for name in names:
            click.echo(f"{what}: {name}")
    sig = verdict.signature
    accepted = True
    if trusted is not None and verdict.manifest is not None:  # else already "changed"
        if sig is None:
            accepted = False
            click.echo(f"{file}: not signed: nothing shows who made it")
        elif sig.valid:
            wrong = mismatch(sig.signer, sig.fingerprint, sig.public_key, trusted)
            accepted = not wrong
            if wrong.startswith("changed: "):
                click.echo(f"changed: {SIGNATURE} ({wrong.removeprefix('changed: ')})")
            elif wrong:
                click.echo(f"{file}: manifest {wrong}")
    if not (verdict.ok and accepted):
        raise SystemExit(1)
    files = count(len(verdict.manifest.files) if verdict.manifest else 0, "file")
    click.echo(f"{file}: OK ({files}, each matching the manifest)")
    if verdict.unchecked:
        click.echo(f"Only integrity was checked; {verdict.unchecked}.")
    elif sig is None:
        click.echo(
            "Not signed: this shows nothing changed since the manifest was written, not who"
            " wrote it."
        )
    elif trusted is not None:
        click.echo(f"Manifest signed by {sig.signer!r} with the certificate you gave.")
    else:
        click.echo(
            f"Manifest signed by {sig.signer!r} (certificate fingerprint {sig.fingerprint}),"
            " but not checked against a certificate you trust."
        )
        click.echo(TRUST_NOTE)
