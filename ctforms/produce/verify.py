"""The verdict on a file someone asks ctforms to verify: an archive (every file against its
manifest) or a signed PDF, and, given the centre's certificate, whether it was signed with it.
The faces word the verdict; what counts as intact and accepted is decided here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ctforms.errors import InputError
from ctforms.files.limits import PDF_MAX_BYTES, regular_file, too_big
from ctforms.produce.archive import Verdict, verify_archive
from ctforms.produce.signing import DamagedPdf, Trusted, mismatch, verify_pdf


@dataclass(frozen=True)
class PdfSignature:
    """One signature of a PDF as judged: `wrong` is why the certificate given refuses it."""

    signer: str
    intact: bool  # the signed bytes are unchanged and cover the whole file
    wrong: str = ""


@dataclass(frozen=True)
class PdfVerdict:
    file: Path
    trusted: Trusted | None
    signatures: list[PdfSignature] = field(default_factory=list)
    damaged: str = ""  # why its signatures cannot be read (changed, not a user's mistake)

    @property
    def ok(self) -> bool:
        return (
            not self.damaged
            and bool(self.signatures)
            and all(s.intact and not s.wrong for s in self.signatures)
        )


@dataclass(frozen=True)
class ArchiveVerdict:
    file: Path
    trusted: Trusted | None
    archive: Verdict
    # With a certificate given: the manifest is not signed, so nothing shows who made it.
    unsigned: bool = False
    wrong: str = ""  # why the certificate given refuses the manifest's signature

    @property
    def accepted(self) -> bool:
        return not (self.unsigned or self.wrong)

    @property
    def ok(self) -> bool:
        return self.archive.ok and self.accepted


def verify_file(file: Path, trusted: Trusted | None) -> PdfVerdict | ArchiveVerdict:
    """A .pdf is checked as a signed PDF, anything else as an archive."""
    regular_file(file, "the file to verify")
    if file.suffix.lower() == ".pdf":
        size = file.stat().st_size
        if size > PDF_MAX_BYTES:
            raise InputError(too_big("the PDF", size, PDF_MAX_BYTES).detail, file=file)
        return verify_signed_pdf(file, trusted)
    return verify_signed_archive(file, trusted)


def verify_signed_pdf(file: Path, trusted: Trusted | None) -> PdfVerdict:
    try:
        reports = verify_pdf(file)
    except DamagedPdf as exc:
        return PdfVerdict(file, trusted, damaged=str(exc))
    signatures = [
        PdfSignature(
            r.signer,
            r.intact and r.covers_whole_file,
            mismatch(r.signer, r.fingerprint, r.public_key, trusted) if trusted else "",
        )
        for r in reports
    ]
    return PdfVerdict(file, trusted, signatures)


def verify_signed_archive(file: Path, trusted: Trusted | None) -> ArchiveVerdict:
    verdict = verify_archive(file)
    sig = verdict.signature
    if trusted is None or verdict.manifest is None:  # no manifest: already "changed"
        return ArchiveVerdict(file, trusted, verdict)
    if sig is None:
        return ArchiveVerdict(file, trusted, verdict, unsigned=True)
    # A signature that does not match the manifest is "changed" already.
    wrong = mismatch(sig.signer, sig.fingerprint, sig.public_key, trusted) if sig.valid else ""
    return ArchiveVerdict(file, trusted, verdict, wrong=wrong)
