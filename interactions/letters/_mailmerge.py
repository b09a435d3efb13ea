"""The ONLY module that touches docx-mailmerge2's private internals.

It uses ``MailMerge.merge_data._merge_field_map``, a merge field's ``_show_elements``,
``_instr_elements``, ``_all_elements``, ``instr_tokens`` and
``get_field_without_filled_elements()``: none of them public API. requirements.in pins
docx-mailmerge2 to the versions this adapter was checked against; on an upgrade, re-run
tests/interactions/test_letters.py and tests/test_hostile_uploads.py.
"""

import copy
import io
import re

from django.utils.translation import gettext_lazy as _
from lxml import etree
from mailmerge import MailMerge

from ..exceptions import LetterError
from ._template import CASE_SWITCHES, MARK, MARK_RE, W_NS, XML_SPACE, Field, _Templated
from ._zip import _dos_time
from .catalogue import MERGE_FIELDS, clean_text


def _placeholder_run(field_obj, index: int):
    """The run that stands for one merge field: the field's formatting, one text."""
    run = etree.Element(f"{{{W_NS}}}r")
    props = None
    candidates = [*field_obj._show_elements, *field_obj._instr_elements]
    if field_obj._all_elements and field_obj._all_elements[0].tag == f"{{{W_NS}}}fldSimple":
        candidates = list(field_obj._all_elements[0].iter(f"{{{W_NS}}}r"))
    for element in candidates:
        props = element.find(f"{{{W_NS}}}rPr") if element.tag == f"{{{W_NS}}}r" else None
        if props is not None:
            break
    if props is not None:
        run.append(copy.deepcopy(props))
    text = etree.SubElement(run, f"{{{W_NS}}}t")
    text.set(XML_SPACE, "preserve")
    text.text = f"{MARK}{index}{MARK}"
    return run


# Switches of a MERGEFIELD that take a value, and those that stand alone.
VALUE_SWITCHES = {"\\b", "\\f", "\\*", "\\#", "\\@"}
FLAG_SWITCHES = {"\\m", "\\v"}
FIELD_NAME = re.compile(r"^\w[\w .-]*$")


def _malformed(tokens: list[str], problem: str) -> LetterError:
    return LetterError(
        _("The merge field “%(field)s” is malformed: %(problem)s"),
        code="malformed_field",
        params={"field": clean_text(" ".join(tokens))[:100], "problem": problem},
    )


def _switches(tokens: list[str]) -> list[tuple[str, str]]:
    """A MERGEFIELD's (switch, value) pairs; anything Word would not accept is an error."""
    switches = []
    options = list(tokens[2:])
    while options:
        token = options.pop(0)
        flag = token[:2]
        if flag in FLAG_SWITCHES and len(token) == 2:
            switches.append((flag, ""))
        elif flag in VALUE_SWITCHES:
            if token[2:]:
                switches.append((flag, token[2:]))
            elif options and options[0][:2] not in VALUE_SWITCHES | FLAG_SWITCHES:
                switches.append((flag, options.pop(0)))
            else:
                raise _malformed(
                    tokens, _("the switch %(switch)s has no value.") % {"switch": flag}
                )
        else:
            raise _malformed(
                tokens,
                _("“%(text)s” is not a switch Word knows.") % {"text": clean_text(token)[:40]},
            )
    return switches


def _field_of(field_obj) -> Field:
    tokens = list(field_obj.instr_tokens)
    name = field_obj.name or ""
    if not FIELD_NAME.match(name):
        raise _malformed(
            tokens,
            _("“%(name)s” is not a field name.") % {"name": clean_text(name)[:40]},
        )
    before = after = case = ""
    for flag, option in _switches(tokens):
        if flag == "\\b":
            before = clean_text(option)
        elif flag == "\\f":
            after = clean_text(option)
        elif flag == "\\*" and option.lower() in CASE_SWITCHES:
            case = option.lower()
    canonical = _CANONICAL.get(name.lower())
    return Field(canonical or name, before, after, case)


_CANONICAL = {name.lower(): name for name in MERGE_FIELDS}


def _restore(element, field_obj) -> None:
    """Put a field the merge does not fill back as it was (IF, NEXT, nested fields)."""
    parent = element.getparent()
    position = parent.index(element)
    parent.remove(element)
    for offset, original in enumerate(field_obj.get_field_without_filled_elements()):
        parent.insert(position + offset, original)


def templated_parts(document: bytes) -> tuple[dict[str, "_Templated"], dict[str, bytes]]:
    """Let docx-mailmerge2 find and normalise the merge fields of ``document``.

    Returns the parts that hold merge fields (and the main part always) as templated
    parts, and the settings parts rewritten without their mail-merge data source.
    """
    try:
        merge = MailMerge(io.BytesIO(document))
    except (ValueError, etree.XMLSyntaxError, KeyError, AssertionError) as error:
        raise LetterError(
            _("The document's merge fields cannot be read: %(error)s"),
            code="broken_fields",
            params={"error": error},
        ) from None
    try:
        fieldmap = merge.merge_data._merge_field_map
        templated: dict[str, _Templated] = {}
        for info in merge.docx.get_parts():
            root = info["part"].getroot()
            w_prefix = next((p for p, ns in root.nsmap.items() if ns == W_NS), "w") or "w"
            fields = []
            for element in list(root.iter("MergeField")):
                field_obj = fieldmap[element.get("merge_key")]
                tokens = field_obj.instr_tokens
                if tokens and tokens[0] == "MERGEFIELD" and field_obj.name:
                    run = _placeholder_run(field_obj, len(fields))
                    element.getparent().replace(element, run)
                    fields.append(_field_of(field_obj))
                else:
                    _restore(element, field_obj)
            for _round in range(50):
                leftovers = list(root.iter("MergeField"))
                if not leftovers:
                    break
                for element in leftovers:
                    _restore(element, fieldmap[element.get("merge_key")])
            if not fields and info["zi"].filename != "word/document.xml":
                continue
            xml = etree.tostring(
                info["part"], xml_declaration=True, encoding="UTF-8", standalone=True
            )
            pieces = MARK_RE.split(xml)
            order = [int(number) for number in pieces[1::2]]
            if order != list(range(len(fields))):
                raise LetterError(
                    _("The document's merge fields cannot be read."), code="broken_fields"
                )
            zinfo = info["zi"]
            dos_time, dos_date = _dos_time(zinfo.date_time)
            p = w_prefix
            templated[zinfo.filename] = _Templated(
                zinfo.filename.encode(),
                0,
                dos_time,
                dos_date,
                pieces[0::2],
                fields,
                f'</{p}:t><{p}:br/><{p}:t xml:space="preserve">'.encode(),
                f'</{p}:t><{p}:tab/><{p}:t xml:space="preserve">'.encode(),
            )
        settings_parts = merge.docx.get_parts("settings")
        fixed_settings = {}
        for info in settings_parts:
            root = info["part"].getroot()
            data_source = root.find(f"{{{W_NS}}}mailMerge")
            if data_source is not None:
                # The merged letter is plain text; a data source link would make Word ask
                # for it (and run its SQL) on opening.
                root.remove(data_source)
                fixed_settings[info["zi"].filename] = etree.tostring(
                    info["part"], xml_declaration=True, encoding="UTF-8", standalone=True
                )
    finally:
        merge.docx.close()
    return templated, fixed_settings
