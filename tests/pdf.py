"""Word files converted to PDF by LibreOffice headless, and the text of each PDF page, for
the tests that check the official documents as they print (tests/awards/test_documents_pdf.py).

The tests skip with a message where LibreOffice is missing (apt-get install
libreoffice-writer-nogui), as the browser tests do without chromium. Every file is converted
in one ``soffice`` call (it starts once, in seconds), with its own user profile in a
temporary directory so that parallel runs do not share LibreOffice's lock.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = "soffice"


def soffice() -> str:
    """The LibreOffice executable; the test is skipped where there is none."""
    found = shutil.which(SOFFICE)
    if found is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    return found


def pdf_pages(files: dict[str, bytes], tmp_path: Path) -> dict[str, list[str]]:
    """Convert ``files`` ({"name.docx": content}) to PDF at once; {name: the text of each
    page}."""
    return {
        name: [page.extract_text() for page in reader.pages]
        for name, reader in pdf_readers(files, tmp_path).items()
    }


def pdf_readers(files: dict[str, bytes], tmp_path: Path) -> dict:
    """Convert ``files`` to PDF at once; {name: its pypdf reader} (pages, sizes, text)."""
    from pypdf import PdfReader

    executable = soffice()
    source = tmp_path / "docx"
    out = tmp_path / "pdf"
    source.mkdir()
    out.mkdir()
    for name, content in files.items():
        (source / name).write_bytes(content)
    subprocess.run(
        [
            executable,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *(str(source / name) for name in files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {name: PdfReader(out / f"{Path(name).stem}.pdf") for name in files}
