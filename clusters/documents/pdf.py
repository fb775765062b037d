"""PDF of a Word document, made on the server by LibreOffice headless where it is installed
(``soffice`` on the PATH; Debian: ``apt-get install libreoffice-writer-nogui``,
docs/deploy.md). The product has no PDF writer of its own: the Word file is the document,
and the PDF is the same file as LibreOffice prints it. Where LibreOffice is missing the
pages say so and offer the Word file only (``pdf_available``).

Each conversion runs ``soffice`` once in a temporary directory with its own user profile
(``-env:UserInstallation``), so that two requests converting at the same time do not share
LibreOffice's lock; it takes a few seconds (LibreOffice starts each time) and is stopped
after ``TIMEOUT`` seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

PDF_MIME = "application/pdf"
TIMEOUT = 60  # seconds


class PdfUnavailable(Exception):
    """LibreOffice is not installed, or the conversion failed."""


SOFFICE = "soffice"


def soffice() -> str | None:
    """The LibreOffice executable found on the PATH, or None."""
    return shutil.which(SOFFICE)


def pdf_available() -> bool:
    return soffice() is not None


def docx_to_pdf(content: bytes) -> bytes:
    """The Word file ``content`` as a PDF, converted by LibreOffice headless."""
    executable = soffice()
    if executable is None:
        raise PdfUnavailable("LibreOffice (soffice) is not installed on the server.")
    with tempfile.TemporaryDirectory(prefix="thidua-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(content)
        try:
            subprocess.run(
                [
                    executable,
                    f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise PdfUnavailable(f"LibreOffice could not convert the document: {error}") from error
        out = folder / "document.pdf"
        if not out.exists():
            raise PdfUnavailable("LibreOffice wrote no PDF.")
        return out.read_bytes()
