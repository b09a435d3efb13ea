"""Mailing labels as PDF (issue 17), like Business Central's *Segment - Labels* report.

One label per contact on common A4 label sheets. The address block is the letters' own
``MailingAddress`` rule (``interactions.merge.mailing_address``: name, company name for a
company's person, address lines, post code and city, county, the country when abroad),
with the country's name instead of its code. The rows come from one query read in chunks,
and the PDF is written label by label with reportlab (no LibreOffice), so 10,000 labels
take seconds and little memory.

Contacts who may not get post get no label: erased ones, privacy-blocked ones and those
who opted out of letters (SPEC 9).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.choices import country_name
from crm.models import CompanyInformation

from .merge import mailing_address

__all__ = [
    "LABEL_FORMATS",
    "LabelFormat",
    "address_blocks",
    "may_get_post",
    "sender_line",
    "write_labels",
]

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
CHUNK = 2000


@dataclass(frozen=True)
class LabelFormat:
    """An A4 label sheet: columns x rows of labels, their size and the sheet's margins
    (millimetres; the pitch is the distance from one label's edge to the next one's)."""

    code: str
    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    column_pitch: float
    row_pitch: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LABEL_FORMATS = {
    label_format.code: label_format
    for label_format in (
        LabelFormat(
            "3x8",
            _("3 × 8 labels, 70 × 37 mm"),
            columns=3,
            rows=8,
            width=70,
            height=37,
            left=0,
            top=0.5,
            column_pitch=70,
            row_pitch=37,
        ),
        LabelFormat(
            "2x7",
            _("2 × 7 labels, 99.1 × 38.1 mm"),
            columns=2,
            rows=7,
            width=99.1,
            height=38.1,
            left=4.65,
            top=15.15,
            column_pitch=101.6,
            row_pitch=38.1,
        ),
    )
}


def may_get_post(contact: str = "") -> Q:
    """Contacts (reached through ``contact``) that may get a label."""
    return Q(
        **{
            f"{contact}erased": False,
            f"{contact}privacy_blocked": False,
            f"{contact}letter_opt_out": False,
        }
    )


def address_blocks(rows: QuerySet, contact: str = "", order=()) -> Iterator[list[str]]:
    """Each row's mailing address as lines, in ``order`` (else the rows' own): one query,
    read in chunks.

    ``rows`` are contacts (``contact=""``) or rows reaching one (``"contact__"``); rows
    whose contact may not get post are left out.
    """
    rows = rows.filter(may_get_post(contact))
    if order:
        rows = rows.order_by(*order)
    blocks = rows.annotate(_mailing_address=mailing_address(contact)).values_list(
        "_mailing_address", f"{contact}country"
    )
    for block, country in blocks.iterator(chunk_size=CHUNK):
        lines = (block or "").split("\n")
        # The rule's last line is the country code when the contact lives abroad.
        if country and lines[-1] == country:
            lines[-1] = country_name(country)
        yield lines


def sender_line() -> str:
    """Our company's name and address on one line, for above each address; "" if none."""
    company = CompanyInformation.objects.filter(pk=1).first()
    if company is None:
        return ""
    place = " ".join(part for part in (company.post_code, company.city) if part)
    return ", ".join(
        part for part in (company.name, company.address, company.address_2, place) if part
    )


#: A font with every European letter, when the server has it; else the PDF core font
#: (Latin-1 only: other letters would show as boxes).
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in UNICODE_FONTS:
        if path.exists():
            if "LabelSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("LabelSans", str(path)))
            return "LabelSans"
    return "Helvetica"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    # No glyph of these fonts is wider than 1.1 em: a short line needs no measuring.
    if len(text) * size * 1.1 <= width or stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


ADDRESS_SIZE, ADDRESS_LEADING = 9, 10
SENDER_SIZE, SENDER_GAP = 6, 3
#: Inside a label: room at the sides, and at the top and bottom.
PADDING_X, PADDING_Y = 4 * MM, 3 * MM


def write_labels(
    blocks: Iterable[list[str]], out, *, label_format: LabelFormat, sender: str = ""
) -> int:
    """Write one label per address block to the binary file ``out`` as PDF; returns
    how many labels were written (an empty sheet when there are none)."""
    from reportlab.pdfgen.canvas import Canvas

    font = _font()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(str(_("Mailing labels")))
    fmt = label_format
    usable = fmt.width * MM - 2 * PADDING_X
    room = fmt.height * MM - 2 * PADDING_Y - (SENDER_SIZE + SENDER_GAP if sender else 0)
    max_lines = int(room // ADDRESS_LEADING)  # 7 on both sheets: every line of the rule
    sender_text = _fit(sender, font, SENDER_SIZE, usable) if sender else ""
    count = 0
    for count, lines in enumerate(blocks, start=1):
        slot = (count - 1) % fmt.per_page
        if slot == 0 and count > 1:
            pdf.showPage()
        column, row = slot % fmt.columns, slot // fmt.columns
        x = (fmt.left + column * fmt.column_pitch) * MM + PADDING_X
        top = A4[1] - (fmt.top + row * fmt.row_pitch) * MM - PADDING_Y
        # One text object per label: far cheaper than a drawString per line.
        text = pdf.beginText(x, top - SENDER_SIZE)
        if sender_text:
            text.setFont(font, SENDER_SIZE)
            text.textLine(sender_text)
            text.setTextOrigin(x, top - SENDER_SIZE - SENDER_GAP - ADDRESS_LEADING)
        else:
            text.setTextOrigin(x, top - ADDRESS_LEADING)
        text.setFont(font, ADDRESS_SIZE, ADDRESS_LEADING)
        for line in lines[:max_lines]:
            text.textLine(_fit(line, font, ADDRESS_SIZE, usable))
        pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return count
