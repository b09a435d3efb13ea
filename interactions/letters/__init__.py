"""Word letters: merge fields, rendering, combined outputs and upload checks.

The only package that touches ``.docx`` internals: bytes and dicts in, bytes out, no ORM.

A letter is a ``.docx`` with Word ``MERGEFIELD``s (simple or complex fields). A document is
*prepared* once (docx-mailmerge2 finds and normalises its fields, each becomes a
placeholder run) and every letter is then a substitution into the prepared XML, written as
a zip that copies the template's unchanged members as their already-compressed bytes.

Callers import from here (``from interactions import letters``); the modules inside:

- ``catalogue``: the merge-field catalogue (``MERGE_FIELDS``) and ``clean_text``;
- ``authoring``: new documents with merge fields (``build_document``, ``starter_document``);
- ``uploads``: ``check_upload``, the one check of every uploaded document;
- ``core``: ``prepare`` / ``PreparedLetter``, the ``PreparedCache`` (thread-safe), and the
  core API of SPEC 4.3: ``fields``, ``render``, ``template_report``; ``merge_text`` (the
  same rule for a plain text: a subject, a description);
- ``emails``: a letter as an email body (``email_body``), converted with mammoth once per
  document, each contact's values filled into the converted text and HTML;
- ``combined``: outputs of many letters (``write_zip``, ``write_combined``, ``safe_filename``);
- ``pdf``: LibreOffice conversion (``pdf_available``, ``to_pdf``);
- ``_mailmerge``: the only module touching docx-mailmerge2's private internals (its version
  is pinned in requirements.in); ``_template`` and ``_zip``: the XML pieces and the zip
  members they are written as.
"""

from .authoring import build_document, starter_document
from .catalogue import FIELD_MARK, MERGE_FIELDS, XML_FORBIDDEN, clean_text
from .combined import WORD_NAMESPACES, safe_filename, write_combined, write_zip
from .core import (
    CACHE,
    PreparedCache,
    PreparedLetter,
    fields,
    forget_prepared,
    merge_text,
    prepare,
    prepared,
    render,
    template_report,
)
from .emails import email_body
from .pdf import libreoffice, pdf_available, to_pdf
from .uploads import MACROS, MAIN_DOCX, MAX_MEMBERS, MAX_RATIO, NOT_DOCX, check_upload

__all__ = [
    "CACHE",
    "FIELD_MARK",
    "MACROS",
    "MAIN_DOCX",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MERGE_FIELDS",
    "NOT_DOCX",
    "WORD_NAMESPACES",
    "XML_FORBIDDEN",
    "PreparedCache",
    "PreparedLetter",
    "build_document",
    "check_upload",
    "clean_text",
    "email_body",
    "fields",
    "forget_prepared",
    "libreoffice",
    "merge_text",
    "pdf_available",
    "prepare",
    "prepared",
    "render",
    "safe_filename",
    "starter_document",
    "template_report",
    "to_pdf",
    "write_combined",
    "write_zip",
]
