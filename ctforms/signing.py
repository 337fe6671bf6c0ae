"""Optional digital signatures for the evidence pack (pip install 'ctforms[sign]': pyHanko)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from ctforms.errors import InputError
from ctforms.output import check_writable, write_bytes

EXTRA = "signing needs the optional extra: pip install 'ctforms[sign]'"


def _need() -> None:
    try:
        import pyhanko  # noqa: F401
    except ImportError:
        raise InputError(EXTRA) from None


def new_keys(
    outdir: Path, common_name: str, *, force: bool = False, now: dt.datetime | None = None
) -> tuple[Path, Path]:
    """A self-signed certificate for the centre and its private key (owner-only file)."""
    _need()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = outdir / "centre-key.pem", outdir / "centre-cert.pem"
    for path in (key_path, cert_path):
        check_writable(path, force)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = now or dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(days=1))
        .not_valid_after(start + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_bytes(key_path, key_pem, force=force, mode=0o600)
    write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM), force=force)
    return key_path, cert_path


def sign_pdf(data: bytes, key: Path, cert: Path, signer_name: str) -> bytes:
    _need()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load(str(key), str(cert))  # type: ignore[no-untyped-call]
    except Exception as exc:  # pyHanko raises several types for unreadable keys
        raise InputError(f"cannot load the key or certificate ({exc})") from None
    if signer is None:
        raise InputError("cannot load the key or certificate (PEM files from 'ctforms keys new')")
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="ExamsOfficer", name=signer_name, reason="Checkpoint 2 declaration evidence pack"
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getvalue())


@dataclass
class SignatureReport:
    signer: str
    intact: bool
    covers_whole_file: bool
    trusted: bool


def verify_pdf(path: Path, cert: Path | None = None) -> list[SignatureReport]:
    _need()
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [load_cert_from_pemder(str(cert))] if cert else []  # type: ignore[no-untyped-call]
    # pyHanko logs a traceback for every self-signed certificate; the report says it instead.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    reports = []
    try:
        with open(path, "rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            for sig in reader.embedded_signatures:
                ctx = ValidationContext(trust_roots=roots, allow_fetching=False)
                status = validate_pdf_signature(sig, ctx)
                coverage = getattr(status, "coverage", None)
                reports.append(
                    SignatureReport(
                        signer=sig.signer_cert.subject.human_friendly,
                        intact=bool(status.intact and status.valid),
                        covers_whole_file=str(coverage).endswith("ENTIRE_FILE"),
                        trusted=bool(status.trusted),
                    )
                )
    except InputError:
        raise
    except Exception as exc:  # a damaged file: report, do not crash
        raise InputError(
            f"cannot read the PDF's signatures ({type(exc).__name__})", file=path
        ) from None
    return reports
