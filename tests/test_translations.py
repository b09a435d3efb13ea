"""The Norwegian Bokmål catalog is complete, current, compiled, and what the pages show in nb."""

import ast
import datetime
import gettext
import html
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from segments import services
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
)

#: The catalog and the Norwegian pages do not depend on the database: SQLite pass only.
pytestmark = pytest.mark.once

LANGUAGE = "nb"
#: The Makefile's `messages` target ignores the same folders.
IGNORED = [".venv", "static", "tests", "bench"]
#: What makemessages reads for the "django" domain.
SOURCE_SUFFIXES = (".py", ".html", ".txt")
#: Not copied for extraction: the catalog itself is rebuilt, and makemessages skips
#: MEDIA_ROOT and STATIC_ROOT.
SKIPPED_DIRS = {*IGNORED, "locale", "media", "staticfiles", "node_modules", "__pycache__"}
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[A-Za-z_]\w*\}")


def po_path() -> Path:
    return Path(settings.BASE_DIR) / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` entries are skipped), header first."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    keyword = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := keyword.match(line):
            name, index, text = match.groups()
            if name == "msgid" and target is not None and target[0] != "msgctxt":
                finish()
            entry.line = entry.line or number
            value = ast.literal_eval(text)
            if name.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (name,)
                setattr(entry, name, value)
        elif line.startswith('"') and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def needs_gettext():
    """Skip without GNU gettext, except on CI, where its absence is a broken build."""
    missing = [tool for tool in ("xgettext", "msgfmt", "msgmerge") if not shutil.which(tool)]
    if missing:
        reason = f"GNU gettext ({', '.join(missing)}) is not installed (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def messages(entries: list[Entry]) -> dict[tuple, Entry]:
    return {entry.key: entry for entry in entries if entry.msgid}


def describe(keys) -> str:
    listed = sorted(keys, key=lambda key: (key[1], key[0] or ""))
    shown = "\n".join(f"  {key[1]!r}" for key in listed[:20])
    more = f"\n  ... and {len(listed) - 20} more" if len(listed) > 20 else ""
    return f"{shown}{more}\nRun `make messages` and translate the new entries."


# --- (a) the catalog holds exactly the strings of the code and templates --------------------


@pytest.fixture(scope="module")
def fresh_catalog(tmp_path_factory) -> dict[tuple, Entry]:
    """What `make messages` extracts now, from a copy of the sources (the real catalog stays)."""
    needs_gettext()
    base = Path(settings.BASE_DIR)
    copy = tmp_path_factory.mktemp("makemessages")

    def ignore(directory, names):
        return {
            name
            for name in names
            if (
                name in SKIPPED_DIRS or name.startswith(".")
                if (Path(directory) / name).is_dir()
                else not name.endswith(SOURCE_SUFFIXES)
            )
        }

    shutil.copytree(base, copy / "project", ignore=ignore)
    locale = copy / "project" / "locale"
    locale.mkdir()
    cwd = os.getcwd()
    os.chdir(copy / "project")
    try:
        with override_settings(LOCALE_PATHS=[locale]):
            call_command(
                "makemessages", locale=[LANGUAGE], ignore_patterns=list(IGNORED), verbosity=0
            )
    finally:
        os.chdir(cwd)
    return messages(parse_po(locale / LANGUAGE / "LC_MESSAGES" / "django.po"))


def test_the_catalog_has_every_message_of_the_code_and_templates(fresh_catalog):
    """Every string marked for translation in crm/, interactions/, segments/ and templates/."""
    committed = messages(parse_po(po_path()))
    assert len(fresh_catalog) > 500  # the extraction really read the sources
    missing = fresh_catalog.keys() - committed.keys()
    assert not missing, f"{len(missing)} messages are not in {po_path()}:\n" + describe(missing)


def test_the_catalog_has_no_message_the_code_no_longer_uses(fresh_catalog):
    """A stale entry means the catalog was not refreshed after a string changed."""
    stale = messages(parse_po(po_path())).keys() - fresh_catalog.keys()
    assert not stale, f"{len(stale)} entries are no longer in the code:\n" + describe(stale)


def test_the_extraction_sees_a_new_string(tmp_path):
    """The copy-and-extract check catches a string added to a template (it can fail)."""
    needs_gettext()
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% load i18n %}{% translate "A brand new label" %}', encoding="utf-8"
    )
    (tmp_path / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command("makemessages", locale=[LANGUAGE], verbosity=0)
    finally:
        os.chdir(cwd)
    found = messages(parse_po(tmp_path / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"))
    assert (None, "A brand new label", None) in found
    assert (None, "A brand new label", None) not in messages(parse_po(po_path()))


# --- (b) every entry is translated, with its placeholders ------------------------------------


def test_the_header_is_norwegian_with_two_plural_forms():
    header = parse_po(po_path())[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: nb\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstr[0]


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = parse_po(po_path())[1:]
    assert len(entries) > 500
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:20]}"
    forms = {entry.msgid: sorted(entry.msgstr) for entry in entries}
    wrong_forms = [
        entry.msgid
        for entry in entries
        if forms[entry.msgid] != ([0, 1] if entry.msgid_plural is not None else [0])
    ]
    assert not wrong_forms, f"entries without exactly their forms: {wrong_forms[:20]}"
    untranslated = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in entries
        if not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated[:20])


def test_translations_keep_their_placeholders():
    """``%(name)s``, ``%d`` and ``{first_name}`` survive exactly, in each plural form."""
    wrong = []
    for entry in parse_po(po_path())[1:]:
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            expected = Counter(PLACEHOLDER.findall(source))
            got = Counter(PLACEHOLDER.findall(text))
            # the singular may spell out "one" instead of repeating a bare count
            if index == 0 and entry.msgid_plural is not None:
                got, expected = set(got), set(expected)
            if got != expected:
                wrong.append(f"line {entry.line}: {entry.msgid!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_placeholder_check_can_fail():
    assert Counter(PLACEHOLDER.findall("Segment %(no)s: %(count)d lines, {name}")) == Counter(
        ["%(no)s", "%(count)d", "{name}"]
    )
    assert PLACEHOLDER.findall("%(s).1f s") == ["%(s).1f"]
    assert PLACEHOLDER.findall("Segment %(nr)s") != PLACEHOLDER.findall("Segment %(no)s")


# --- (c) the committed .mo is the compiled .po ------------------------------------------------


def expected_catalog(entries: list[Entry]) -> dict:
    """The .po as Python's gettext holds a compiled catalog: plural forms keyed by index."""
    catalog = {}
    for entry in entries:
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            catalog[msgid] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                catalog[(msgid, index)] = text
    return catalog


def test_the_compiled_catalog_matches_the_po():
    """The committed django.mo holds exactly the .po's translations (`make messages` ran)."""
    mo = po_path().with_suffix(".mo")
    assert mo.exists(), "django.mo is missing: run `make messages`"
    with mo.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    expected = expected_catalog(parse_po(po_path()))
    actual = dict(compiled._catalog)
    expected.pop("", None), actual.pop("", None)  # the header is checked on the .po
    outdated = sorted(
        str(key) for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)
    )
    assert not outdated, "django.mo is older than django.po; run `make messages`:\n" + "\n".join(
        outdated[:20]
    )
    assert compiled.ngettext("%(count)s line added.", "%(count)s lines added.", 1) != (
        "%(count)s line added."
    )


def test_msgfmt_accepts_the_catalog(tmp_path):
    """GNU msgfmt's format checks: placeholders, plural forms, header."""
    needs_gettext()
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(po_path())],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    with (tmp_path / "django.mo").open("rb") as stream:
        fresh = dict(gettext.GNUTranslations(stream)._catalog)
    with po_path().with_suffix(".mo").open("rb") as stream:
        committed = dict(gettext.GNUTranslations(stream)._catalog)
    assert fresh == committed


# --- (d) the pages speak Norwegian --------------------------------------------------------------

NAVBAR = [
    "Kontakter",
    "Segmenter",
    "Lagrede kriterier",
    "Loggede segmenter",
    "Samhandlingsloggposter",
    "Samhandlingsmaler",
    "Logg ut",
    # Each language is offered in its own name, whatever the interface's language.
    "Norsk (bokmål)",
    "English",
]


@pytest.fixture
def nb_client(manager_client):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
    return manager_client


@pytest.fixture
def campaign(manager):
    """A segment in the making and a logged one, with Norwegian data only."""
    salesperson = SalespersonFactory(name="Kari Nordmann")
    company = CompanyFactory(name="Fjordkraft AS", city="Bergen")
    ContactFactory(company=company, first_name="Ola", surname="Hansen", city="Bergen")
    template = InteractionTemplateFactory(
        code="VAAR", description="Vårbrev", unit_cost=Decimal("12.50"), default_language="nb"
    )
    InteractionTemplateLanguageFactory(
        template=template, language="nb", description="Vårbrev", subject="Vårtilbud"
    )
    header = {
        "interaction_template": template,
        "salesperson": salesperson,
        "date": datetime.date(2026, 3, 14),
    }
    criteria = {"contact": {"city": ["Bergen"]}}
    # A criteria action stores its description in its author's language: a Norwegian user's.
    with translation.override(LANGUAGE):
        segment = services.create_segment(user=manager, description="Vårkampanje", **header)
        services.add_contacts(segment, criteria=criteria, user=manager)
        done = services.create_segment(user=manager, description="Vinterkampanje", **header)
        services.add_contacts(done, criteria=criteria, user=manager)
        logged = services.log_segment(done, user=manager)
    return {
        "segment": segment,
        "line": segment.lines.order_by("line_no").first(),
        "company": company,
        "template": template,
        "logged": logged,
        "entry": logged.entries.order_by("entry_no").first(),
    }


def visible_text(content: str) -> str:
    """The words a user reads: text nodes plus titles, labels and placeholders."""
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    attributes = re.findall(r'(?:title|aria-label|placeholder|value)="([^"]*)"', content)
    text = re.sub(r"(?s)<[^>]+>", " ", content)
    return html.unescape(" ".join([text, *attributes]))


def english_phrases() -> list[str]:
    """Catalog messages of two words or more whose Norwegian differs, without placeholders."""
    phrases = []
    for entry in parse_po(po_path())[1:]:
        if entry.msgid_plural is not None or PLACEHOLDER.search(entry.msgid):
            continue
        if " " in entry.msgid.strip() and entry.msgstr[0] != entry.msgid:
            phrases.append(entry.msgid)
    return phrases


def pages(data) -> dict[str, str]:
    segment, line = data["segment"], data["line"]
    return {
        "home": reverse("crm:home"),
        "contacts": reverse("crm:contact-list"),
        "contact card": reverse("crm:contact-detail", args=[data["company"].pk]),
        "segments": reverse("segments:segment-list"),
        "new segment": reverse("segments:segment-create"),
        "segment": segment.get_absolute_url(),
        "criteria dialog": reverse("segments:criteria", args=[segment.pk, "add"]),
        "letters": reverse("segments:letters", args=[segment.pk]),
        "line letter": reverse("segments:line-letter", args=[segment.pk, line.pk]),
        "log": reverse("segments:log", args=[segment.pk]),
        "save criteria": reverse("segments:save-criteria", args=[segment.pk]),
        "reuse criteria": reverse("segments:reuse-criteria", args=[segment.pk]),
        "reuse logged segment": reverse("segments:reuse-logged-segment", args=[segment.pk]),
        "apply mailing group": reverse("segments:apply-mailing-group", args=[segment.pk]),
        "edit a line": reverse("segments:line-edit", args=[segment.pk, line.pk, "description"]),
        "delete segment": reverse("segments:segment-delete", args=[segment.pk]),
        "saved criteria": reverse("segments:saved-criteria-list"),
        "logged segments": reverse("interactions:logged-segment-list"),
        "logged segment": reverse("interactions:logged-segment-detail", args=[data["logged"].pk]),
        "entries": reverse("interactions:entry-list"),
        "entry": reverse("interactions:entry-detail", args=[data["entry"].pk]),
        "templates": reverse("interactions:template-list"),
        "template": reverse("interactions:template-detail", args=[data["template"].pk]),
        "new template": reverse("interactions:template-create"),
        "edit template": reverse("interactions:template-update", args=[data["template"].pk]),
        "groups": reverse("interactions:group-list"),
        "new group": reverse("interactions:group-create"),
        "delete canceled": reverse("interactions:logged-segment-delete-canceled"),
        "statistics": reverse("interactions:statistics"),
        "jobs": reverse("jobs:job-list"),
    }


@pytest.mark.django_db
def test_pages_in_norwegian_show_norwegian_labels_and_no_english_ones(nb_client, campaign):
    english = english_phrases()
    assert "Logged segments" in english and "Criteria history" in english
    for name, url in pages(campaign).items():
        response = nb_client.get(url)
        assert response.status_code == 200, f"{name}: {url} gave {response.status_code}"
        content = response.content.decode()
        assert '<html lang="nb">' in content, name
        text = visible_text(content)
        for label in NAVBAR:
            assert label in text, f"{name} ({url}) has no {label!r} in its navigation bar"
        leftovers = [p for p in english if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
        assert not leftovers, f"{name} ({url}) shows English in nb: {leftovers}"


@pytest.mark.django_db
def test_page_texts_are_norwegian(nb_client, campaign):
    segment = nb_client.get(campaign["segment"].get_absolute_url()).content.decode()
    for label in ["Kriteriehistorikk", "Legg til kontakter", "Gå tilbake", "Total kostnad"]:
        assert label in segment
    dialog = visible_text(
        nb_client.get(
            reverse("segments:criteria", args=[campaign["segment"].pk, "refine"])
        ).content.decode()
    )
    assert "Avgrens kontakter" in dialog and "Poststed" in dialog and "Land" in dialog
    logged = visible_text(
        nb_client.get(
            reverse("interactions:logged-segment-detail", args=[campaign["logged"].pk])
        ).content.decode()
    )
    assert "Annuller logget segment" in logged and "Opprett oppfølgingssegment" in logged


@pytest.mark.django_db
def test_dates_and_numbers_are_shown_the_norwegian_way(nb_client, campaign):
    """Dates as 14. mar. 2026 and decimals with a comma; English shows them its own way."""
    card = visible_text(
        nb_client.get(reverse("crm:contact-detail", args=[campaign["company"].pk])).content.decode()
    )
    assert "14. mar. 2026" in card
    template = visible_text(
        nb_client.get(
            reverse("interactions:template-detail", args=[campaign["template"].pk])
        ).content.decode()
    )
    assert "12,50" in template and "12.50" not in template
    worksheet = nb_client.get(campaign["segment"].get_absolute_url()).content.decode()
    cells = re.findall(r'<span class="value">([^<]*)</span>', worksheet)
    assert "14. mar. 2026" in cells and "2026-03-14" not in cells
    assert any(re.fullmatch(r"12,50?", cell) for cell in cells), cells
    nb_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = visible_text(
        nb_client.get(
            reverse("interactions:template-detail", args=[campaign["template"].pk])
        ).content.decode()
    )
    assert "12.50" in english and "Interaction template" in english


@pytest.mark.django_db
def test_messages_and_form_errors_are_norwegian(nb_client, campaign):
    """The outcome of an action and a form's errors reach a Norwegian user in Norwegian."""
    response = nb_client.post(
        reverse("segments:segment-create"), {"description": "Høstkampanje"}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    segment = response.context["segment"]
    assert shown == [f"Segment {segment.no} er opprettet."]
    response = nb_client.post(reverse("segments:segment-create"), {"description": "x" * 101})
    assert response.status_code == 200
    assert "100 eller færre tegn (den har nå 101)" in response.content.decode()
    logged = campaign["logged"]
    response = nb_client.post(
        reverse("interactions:logged-segment-cancel", args=[logged.pk]),
        {"canceled": "true"},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [f"Logget segment {logged.segment_no} er annullert sammen med 2 poster."]
