"""``manage.py export_segment``: the segment's contacts as CSV, to stdout or a file."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from segments import services
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment():
    user = UserFactory(password=None)
    segment = services.create_segment(user=user, description="Export me")
    ContactFactory(no="P1", name="Ada")
    ContactFactory(no="P2", name="Bo")
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    return segment


def test_export_segment_writes_csv_to_stdout(segment):
    out = io.StringIO()
    call_command("export_segment", segment.no.lower(), stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:2] == ["Line no.", "No."]
    assert [row[:2] for row in rows[1:]] == [["10000", "P1"], ["20000", "P2"]]


def test_export_segment_writes_a_file(segment, tmp_path):
    target = tmp_path / "segment.csv"
    err = io.StringIO()
    call_command("export_segment", segment.no, "--output", str(target), stderr=err)
    with target.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert [row[1] for row in rows[1:]] == ["P1", "P2"]
    assert f"Exported 2 lines of segment {segment.no}" in err.getvalue()


def test_export_segment_refuses_an_unknown_segment(db):
    with pytest.raises(CommandError, match="Segment SEG99999 does not exist"):
        call_command("export_segment", "SEG99999", stdout=io.StringIO())
