"""Every named URL pattern of the project's apps is visited by the crawl or by a view test.

A new page cannot ship unvisited: either the demo crawl (tests/test_crawl.py) reaches it
from the home page, or it is listed here with the view test that covers it, and that test
file names the pattern.
"""

from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

APPS = ("crm", "segments", "interactions", "jobs", "api")
TESTS = Path(__file__).resolve().parent

#: Patterns the crawl cannot reach by a GET from a link (POST-only actions, pages reached
#: after a POST), with the test file that covers them and names them.
COVERED_BY_VIEW_TESTS = {
    "segments:criteria-preview": "segments/test_views.py",
    "segments:go-back": "segments/test_views.py",
    "segments:worksheet-columns": "segments/test_worksheet_page.py",
    "segments:line-add": "segments/test_views.py",
    "segments:line-remove": "segments/test_views.py",
    "segments:line-reset": "segments/test_views.py",
    "segments:line-note": "segments/test_views_dialogs.py",
    "segments:line-document": "segments/test_views_dialogs.py",
    "segments:line-document-remove": "segments/test_views_dialogs.py",
    "segments:letters-download": "segments/test_views_dialogs.py",
    "segments:segment-header": "segments/test_views.py",
    "segments:logged-segment-follow-up": "interactions/test_views.py",
    "interactions:logged-segment-cancel": "interactions/test_views.py",
    "interactions:logged-segment-print-batch": "interactions/test_views.py",
    "interactions:logged-segment-delete": "interactions/test_views.py",
    "interactions:entry-cancel": "interactions/test_views.py",
    "interactions:group-update": "interactions/test_views_templates.py",
    "jobs:job-retry": "ops/test_jobs_views.py",
    "interactions:draft-delete": "interactions/test_single_views.py",
    "interactions:log-interaction-letter": "interactions/test_single_views.py",
    "interactions:entry-attachment": "interactions/test_single_views.py",
    "segments:remove-refused-lines": "segments/test_consent.py",
    "segments:segment-from-contacts": "crm/test_segment_from_filter.py",
}

#: The web API's patterns (no HTML page links to them): the tests/api/ file naming each.
COVERED_BY_VIEW_TESTS |= {
    "api:docs": "test_crawl.py",
    "api:schema": "test_crawl.py",
    **{f"api:{name}": "api/test_contacts.py" for name in ("contact-list", "contact-detail")},
    **{
        f"api:{name}": "api/test_segments.py"
        for name in (
            "segment-list",
            "segment-detail",
            "line-list",
            "line-detail",
            "action-list",
            "segment-add",
            "segment-reduce",
            "segment-refine",
            "segment-preview",
            "segment-go-back",
            "save-criteria",
            "reuse-criteria",
            "segment-log",
        )
    },
    **{
        f"api:{name}": "api/test_ledger.py"
        for name in (
            "logged-segment-list",
            "logged-segment-detail",
            "logged-segment-cancel",
            "logged-segment-follow-up",
            "entry-list",
            "entry-detail",
            "entry-letter",
            "entry-notes",
            "interaction-create",
        )
    },
    **{
        f"api:{name}": "api/test_campaigns.py"
        for name in ("campaign-list", "campaign-detail", "campaign-statistics")
    },
}


def named_patterns(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def app_patterns() -> set[str]:
    return {name for name in named_patterns() if name.split(":", 1)[0] in APPS}


def test_the_apps_have_named_patterns():
    assert {"crm:home", "segments:segment-detail", "jobs:job-list"} <= app_patterns()


@pytest.mark.parametrize("name", sorted(app_patterns()))
def test_every_pattern_is_crawled_or_has_a_view_test(name, demo_crawl):
    if name in demo_crawl.url_names:
        return
    assert name in COVERED_BY_VIEW_TESTS, (
        f"{name} is neither reached by the demo crawl nor listed in COVERED_BY_VIEW_TESTS "
        "with the view test that covers it"
    )
    test_file = TESTS / COVERED_BY_VIEW_TESTS[name]
    short = name.split(":", 1)[1]
    source = test_file.read_text()
    assert f'"{name}"' in source or f"'{name}'" in source or f"/{short}" in source, (
        f"{test_file} does not mention {name}"
    )


@pytest.mark.parametrize("name", sorted(COVERED_BY_VIEW_TESTS))
def test_allow_list_names_real_patterns(name):
    assert name in app_patterns(), f"{name} is no URL pattern; remove it from the list"
