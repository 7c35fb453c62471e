"""Turn a plan file (txt, md, html, pdf, docx) into raw text.

Loaders only extract text; cleaning (HTML remnants, tables, headers) happens in
:mod:`ingest.cleaning` so every format goes through the same rules.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.errors import IngestError

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


def load_text(path: Path, data: bytes | None = None) -> str:
    """Return the raw text of ``path`` or raise :class:`IngestError` saying why not.

    ``data`` is the file's bytes when the caller already read them (ingest reads
    each file once, so the hash and the indexed text describe the same snapshot).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(path, f"unknown file type '{suffix or '(none)'}'; supported: {', '.join(SUPPORTED)}")
    if data is None and not path.is_file():
        raise IngestError(path, "file not found")
    try:
        data = path.read_bytes() if data is None else data
        if suffix in (".txt", ".md"):
            text = _decode_utf8(path, data)
        elif suffix in (".html", ".htm"):
            text = html_to_text(_decode_utf8(path, data))
        elif suffix == ".pdf":
            text = _read_pdf(path, data)
        else:
            text = _read_docx(path, data)
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if not text.strip():
        raise IngestError(path, "the document is empty (no text found)")
    return text


def _decode_utf8(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise IngestError(path, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc


def _read_pdf(path: Path, data: bytes) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise IngestError(path, f"unreadable PDF: {exc}") from exc
    except Exception as exc:  # pypdf raises a zoo of errors on broken files
        raise IngestError(path, f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return "\n\n".join(pages)


def _read_docx(path: Path, data: bytes) -> str:
    import io
    import zipfile

    import docx

    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise IngestError(path, f"unreadable Word file: {exc}") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            lines.append("")
            for row in child.iter():
                if not row.tag.endswith("}tr"):
                    continue
                cells = []
                for cell in row.iterchildren():
                    if cell.tag.endswith("}tc"):
                        texts = ["".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")) for p in cell.iter() if p.tag.endswith("}p")]
                        cells.append(" ".join(t for t in texts if t.strip()))
                lines.append("\t".join(cells))
            lines.append("")
    return "\n".join(lines)


class _TextExtractor(HTMLParser):
    """Collects text, starting a new line at block-level tags."""

    BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}
    SKIP = {"script", "style", "head", "nav", "footer"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._cells = 0
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in ("td", "th"):
            if self._cells:
                self.parts.append("\t")
            self._cells += 1
        elif tag == "tr":
            self._cells = 0
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._href = href if href.startswith("http") else ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag == "a" and self._href:
            self.parts.append(f" ({self._href})")
            self._href = ""

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text from HTML, one block per line, link targets kept when they are real URLs."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    text = re.sub(r"[ \t]*\n[ \t]*(?=\t)", "\n", text)
    lines = [line.strip(" ") for line in text.splitlines()]
    return "\n".join(lines)
