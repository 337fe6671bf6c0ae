"""Optional digital signatures (pip install 'ctforms[sign]': pyHanko, cryptography): the
evidence pack (a PDF signature) and the archive's manifest (a detached CMS signature).

A signature only proves who signed when it is checked against a certificate the reader already
trusts: anyone can make a key in any name. So every check compares the signer certificate's
SHA-256 fingerprint with the one given, as GnuPG compares key fingerprints."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctforms.errors import Field, InputError
from ctforms.files.limits import KEY_MAX_BYTES, read_limited
from ctforms.files.output import check_writable, write_all

if TYPE_CHECKING:
    from cryptography import x509 as pyca_x509
    from cryptography.hazmat.primitives.asymmetric import rsa

EXTRA = "signing needs the optional extra: pip install 'ctforms[sign]'"


def _need() -> None:
    try:
        import pyhanko  # noqa: F401
    except ImportError:
        raise InputError(EXTRA) from None


def signing_available() -> bool:
    try:
        _need()
    except InputError:
        return False
    return True


def fingerprint(der: bytes) -> str:
    """A certificate's SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def _subject_name(cert: Any) -> str:
    """The certificate's common name (an asn1crypto certificate), else its whole subject."""
    name = cert.subject.native.get("common_name")
    if isinstance(name, list):
        name = ", ".join(str(n) for n in name)
    return str(name) if name else str(cert.subject.human_friendly)


@dataclass(frozen=True)
class Trusted:
    """The certificate a reader trusts: what a signature is compared with."""

    fingerprint: str
    public_key: bytes  # SubjectPublicKeyInfo, DER


def load_trusted(path: Path, label: str = "the certificate") -> Trusted:
    """A certificate file (PEM or DER) to check signatures against."""
    _need()
    from pyhanko.keys import load_cert_from_pemder

    try:
        read_limited(path, KEY_MAX_BYTES, label)  # a device or a huge file is refused
        cert = load_cert_from_pemder(str(path))  # type: ignore[no-untyped-call]
        return Trusted(fingerprint(cert.dump()), cert.public_key.dump())
    except OSError as exc:
        raise InputError(
            f"{label}: cannot read it ({exc.strerror})", file=path, fields=("cert",)
        ) from None
    except Exception:  # pyHanko/asn1crypto raise several types for a file that is not one
        raise InputError(
            f"{label}: not a certificate (give the centre-cert.pem from 'ctforms keys new')",
            file=path,
            fields=("cert",),
        ) from None


def mismatch(signer: str, found: str, public_key: bytes, trusted: Trusted) -> str:
    """Why a signature whose certificate has fingerprint `found` is not accepted ("" if it is).
    Only the exact certificate is accepted; a certificate that holds the trusted key but is
    not the trusted certificate means the signature's certificate was altered (or re-issued)."""
    if found == trusted.fingerprint:
        return ""
    prints = f"fingerprint {found}, expected {trusted.fingerprint}"
    if public_key == trusted.public_key:
        return (
            "changed: the certificate inside the signature is not the one you gave though it"
            f" holds its key: altered or re-issued ({prints})"
        )
    return f"signed by {signer!r} but NOT with the certificate you gave ({prints})"


def new_keys(
    outdir: Path, common_name: str, *, force: bool = False, now: dt.datetime | None = None
) -> tuple[Path, Path]:
    """A self-signed certificate for the centre and its private key (both owner-only files)."""
    _need()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = outdir / "centre-key.pem", outdir / "centre-cert.pem"
    if not common_name.strip():
        raise InputError(
            "the certificate's name is empty; give the centre's name", fields=("name",)
        )
    if len(common_name.strip()) > 64:  # X.509's upper bound for a common name
        raise InputError(
            f"the certificate's name must be 1 to 64 characters (a certificate's limit), not"
            f" {len(common_name)}; shorten it, e.g. the centre's name without its town",
            fields=("name",),
        )
    if any(unicodedata.category(c) == "Cc" for c in common_name):
        raise InputError(
            "the certificate's name holds control characters; type the centre's name plainly",
            fields=("name",),
        )
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
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    write_all([(key_path, key_pem), (cert_path, cert_pem)], force=force)
    return key_path, cert_path


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate, checked to belong together."""

    key: rsa.RSAPrivateKey
    cert: pyca_x509.Certificate
    name: str
    fingerprint: str


def load_signer(
    key: Path,
    cert: Path,
    *,
    key_label: str = "the signing key",
    cert_label: str = "the certificate",
    source: Path | None = None,
) -> Signer:
    """Read a key pair for signing; a bad file is one error line naming the input (or the
    centre.toml key, with `source`) that gave it."""
    _need()
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def fail(label: str, path: Path, what: str) -> InputError:
        # Given by a person (not centre.toml): the face names the option or field.
        given: tuple[Field, ...] = ("key",) if label == key_label else ("cert",)
        return InputError(f"{label} {path}: {what}", file=source, fields=() if source else given)

    def read(label: str, path: Path) -> bytes:
        try:
            return read_limited(path, KEY_MAX_BYTES, f"{label} {path}")
        except InputError as exc:
            raise InputError(exc.detail, file=source) from None
        except OSError as exc:
            raise fail(label, path, f"cannot read it ({exc.strerror})") from None

    key_data, cert_data = read(key_label, key), read(cert_label, cert)
    try:
        private = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise fail(key_label, key, "the key has a passphrase; ctforms needs one without") from None
    except (ValueError, UnsupportedAlgorithm):
        raise fail(key_label, key, "not a private key (PEM from 'ctforms keys new')") from None
    if not isinstance(private, rsa.RSAPrivateKey):
        raise fail(key_label, key, "only RSA keys can sign (as 'ctforms keys new' makes)")
    try:
        certificate = x509.load_pem_x509_certificate(cert_data)
    except ValueError:
        raise fail(cert_label, cert, "not a certificate (PEM from 'ctforms keys new')") from None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if private.public_key().public_bytes(der, spki) != certificate.public_key().public_bytes(
        der, spki
    ):
        raise fail(key_label, key, f"this key does not belong to the certificate {cert}")
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(names[0].value) if names else certificate.subject.rfc4514_string()
    return Signer(private, certificate, name, fingerprint(certificate.public_bytes(der)))


def sign_detached(data: bytes, signer: Signer) -> bytes:
    """A detached CMS (PKCS #7) signature of data, DER, with the signer's certificate inside.
    Without signed attributes there is no signing time in it, so the same manifest and key give
    the same bytes (RSA); `openssl cms -verify -binary -inform DER` checks it too."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    options = [
        pkcs7.PKCS7Options.DetachedSignature,
        pkcs7.PKCS7Options.Binary,  # sign the bytes as they are: no CRLF translation
        pkcs7.PKCS7Options.NoAttributes,
    ]
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(signer.cert, signer.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, options)
    )


@dataclass(frozen=True)
class DetachedCheck:
    """What a detached signature says about data. `problem` is empty when it matches."""

    signer: str = ""
    fingerprint: str = ""
    public_key: bytes = b""
    problem: str = ""
    damaged: bool = False  # the signature file itself cannot be read

    @property
    def valid(self) -> bool:
        return not self.problem


def check_detached(data: bytes, signature: bytes) -> DetachedCheck:
    """Check a detached signature as sign_detached writes it over data, with the certificate
    inside it. Never raises on a damaged signature: any failure to read it, and any byte that
    differs from the form sign_detached writes (even in parts CMS leaves unsigned), is damage."""
    _need()
    from asn1crypto import cms
    from pyhanko.sign.general import extract_certificate_info, extract_signer_info
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    damaged = DetachedCheck(problem="the signature file is damaged", damaged=True)
    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            return damaged
        signed = info["content"]
        signer_info = extract_signer_info(signed)
        cert = extract_certificate_info(signed).signer_cert
        if _canonical(cert, signer_info["signature"].native) != signature:
            return damaged
        name, print_, key = _subject_name(cert), fingerprint(cert.dump()), cert.public_key.dump()
    except Exception:  # asn1crypto and pyHanko raise many types for garbled bytes
        return damaged
    if not _self_signature_holds(cert):
        return DetachedCheck(name, print_, key, "the certificate inside it is damaged", True)
    try:
        digest = hashlib.sha256(data).digest()
        intact, valid = validate_sig_integrity(signer_info, cert, "data", digest)
    except Exception:
        return DetachedCheck(name, print_, key, damaged.problem, True)
    if not (intact and valid):
        return DetachedCheck(name, print_, key, "the signature does not match the manifest")
    return DetachedCheck(name, print_, key)


def _canonical(cert: Any, value: bytes) -> bytes:
    """The exact DER sign_detached (cryptography's PKCS7SignatureBuilder) writes for this
    certificate and signature value: SignedData v1, SHA-256, one signer by issuer and serial,
    RSA PKCS #1 v1.5, no attributes, no content."""
    from asn1crypto import cms, core

    def algorithm(kind: Any, name: str) -> Any:
        return kind({"algorithm": name, "parameters": core.Null()})

    sid = cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": sid}),
            "digest_algorithm": algorithm(cms.DigestAlgorithm, "sha256"),
            "signature_algorithm": algorithm(cms.SignedDigestAlgorithm, "rsassa_pkcs1v15"),
            "signature": value,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algorithm(cms.DigestAlgorithm, "sha256")],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cms.CertificateChoices({"certificate": cert})],
            "signer_infos": [signer],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def _self_signature_holds(cert: Any) -> bool:
    """A self-issued certificate (as 'ctforms keys new' makes) must verify with its own key,
    so a byte changed in the certificate inside a signature shows as damage."""
    if not cert.self_issued:
        return True  # its issuer is not here to check it with; the trusted certificate decides
    from cryptography import x509

    try:
        own = x509.load_der_x509_certificate(cert.dump())
        own.verify_directly_issued_by(own)
    except Exception:  # InvalidSignature, ValueError, TypeError: all mean it does not hold
        return False
    return True


def sign_pdf(data: bytes, key: Path, cert: Path, signer_name: str) -> bytes:
    _need()
    load_signer(key, cert)  # the key must be this certificate's, or the pack never verifies
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


class DamagedPdf(Exception):
    """A PDF whose signatures cannot be read: changed (exit 1), not a user's mistake."""


@dataclass
class SignatureReport:
    signer: str
    intact: bool
    covers_whole_file: bool
    fingerprint: str
    public_key: bytes


def verify_pdf(path: Path) -> list[SignatureReport]:
    """Each signature in the PDF: who it names, whether the signed bytes are unchanged and cover
    the whole file, and the signer certificate's fingerprint (compared by the caller)."""
    _need()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    # pyHanko logs a traceback for every self-signed certificate; the fingerprint says more.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    reports = []
    try:
        with open(path, "rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            for sig in reader.embedded_signatures:
                ctx = ValidationContext(trust_roots=[], allow_fetching=False)
                status = validate_pdf_signature(sig, ctx)
                coverage = getattr(status, "coverage", None)
                reports.append(
                    SignatureReport(
                        signer=_subject_name(sig.signer_cert),
                        intact=bool(status.intact and status.valid),
                        covers_whole_file=str(coverage).endswith("ENTIRE_FILE"),
                        fingerprint=fingerprint(sig.signer_cert.dump()),
                        public_key=sig.signer_cert.public_key.dump(),
                    )
                )
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    except Exception as exc:  # pyHanko raises many types for a damaged file
        with open(path, "rb") as fh:
            if fh.read(5) != b"%PDF-":
                raise InputError("not a PDF: nothing to verify", file=path) from None
        raise DamagedPdf(f"its signatures cannot be read ({type(exc).__name__})") from None
    return reports
