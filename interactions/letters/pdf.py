"""Letters as PDF, through LibreOffice (LIBREOFFICE_BINARY, LETTER_PDF_TIMEOUT)."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..exceptions import LetterError


def libreoffice() -> str | None:
    """The LibreOffice program that converts to PDF, or None when none is installed."""
    configured = settings.LIBREOFFICE_BINARY
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether letters can be converted to PDF on this server."""
    return libreoffice() is not None


def to_pdf(source, out) -> None:
    """Convert a ``.docx`` (bytes or a path) to PDF, written to the file object ``out``."""
    program = libreoffice()
    if program is None:
        raise LetterError(
            _("PDF is not available: LibreOffice is not installed on the server."),
            code="no_pdf",
        )
    timeout = settings.LETTER_PDF_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="letters-pdf-") as folder:
        docx_path = Path(folder) / "letters.docx"
        if isinstance(source, bytes | bytearray):
            docx_path.write_bytes(source)
        else:
            shutil.copyfile(source, docx_path)
        # A private profile per conversion: concurrent conversions would otherwise fight
        # over the user's LibreOffice profile lock.
        command = [
            program,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            str(docx_path),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise LetterError(
                _("Converting the letters to PDF took longer than %(seconds)s seconds."),
                code="pdf_timeout",
                params={"seconds": timeout},
            ) from None
        pdf_path = docx_path.with_suffix(".pdf")
        if not pdf_path.exists():
            raise LetterError(
                _("LibreOffice could not convert the letters to PDF."), code="pdf_failed"
            )
        with pdf_path.open("rb") as pdf:
            shutil.copyfileobj(pdf, out, 2**20)
