"""`ctforms keys`, `ctforms archive` and `ctforms verify`: the centre's keys, the archive with
its manifest, and checking an archive or a signed PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ctforms.cli.app import Group, cli
from ctforms.errors import InputError
from ctforms.options import (
    existing_file,
    force_option,
    output_file,
    output_folder,
)
from ctforms.words import count

if TYPE_CHECKING:
    from ctforms.produce.verify import ArchiveVerdict, PdfVerdict


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
    from ctforms.produce.verify import PdfVerdict, verify_file

    trusted = load_trusted(cert) if cert is not None else None
    verdict = verify_file(file, trusted)
    if isinstance(verdict, PdfVerdict):
        _say_pdf(verdict)
    else:
        _say_archive(verdict)
    if not verdict.ok:
        raise SystemExit(1)


def _say_pdf(verdict: PdfVerdict) -> None:
    file = verdict.file
    if verdict.damaged:
        click.echo(f"changed: {file} ({verdict.damaged})")
    elif not verdict.signatures:
        click.echo(f"{file}: not signed")
    for r in verdict.signatures:
        said = (
            f"{file}: signed by {r.signer!r}: {'intact' if r.intact else 'CHANGED since signing'}"
        )
        if r.wrong:
            click.echo(f"{file}: {r.wrong}")
        elif verdict.trusted is None:
            click.echo(said)
        else:
            click.echo(f"{said}, with the certificate you gave")
    if verdict.ok and verdict.trusted is None:
        click.echo(TRUST_NOTE)


def _say_archive(verdict: ArchiveVerdict) -> None:
    from ctforms.produce.archive import SIGNATURE

    file, archive = verdict.file, verdict.archive
    for what, names in (
        ("changed", archive.changed),
        ("added", archive.added),
        ("missing", archive.missing),
    ):
        for name in names:
            click.echo(f"{what}: {name}")
    if verdict.unsigned:
        click.echo(f"{file}: not signed: nothing shows who made it")
    elif verdict.wrong.startswith("changed: "):
        click.echo(f"changed: {SIGNATURE} ({verdict.wrong.removeprefix('changed: ')})")
    elif verdict.wrong:
        click.echo(f"{file}: manifest {verdict.wrong}")
    if not verdict.ok:
        return
    files = count(len(archive.manifest.files) if archive.manifest else 0, "file")
    click.echo(f"{file}: OK ({files}, each matching the manifest)")
    sig = archive.signature
    if archive.unchecked:
        click.echo(f"Only integrity was checked; {archive.unchecked}.")
    elif sig is None:
        click.echo(
            "Not signed: this shows nothing changed since the manifest was written, not who"
            " wrote it."
        )
    elif verdict.trusted is not None:
        click.echo(f"Manifest signed by {sig.signer!r} with the certificate you gave.")
    else:
        click.echo(
            f"Manifest signed by {sig.signer!r} (certificate fingerprint {sig.fingerprint}),"
            " but not checked against a certificate you trust."
        )
        click.echo(TRUST_NOTE)
