"""make test's worker scheduling (tests/scheduling.py): the files it names exist, the
slowest go first, and the crawl's two files are one unit of work."""

from collections import OrderedDict
from pathlib import Path

from xdist.scheduler import LoadFileScheduling

from tests.scheduling import SAME_WORKER_AS, SLOWEST_FIRST, SlowestFirst

ROOT = Path(__file__).resolve().parent.parent


def test_the_files_it_names_exist():
    """A file renamed or moved would silently lose its place: name it again there."""
    named = {*SLOWEST_FIRST, *SAME_WORKER_AS, *SAME_WORKER_AS.values()}
    assert [path for path in sorted(named) if not (ROOT / path).is_file()] == []


def test_the_slowest_files_are_handed_out_first(monkeypatch):
    handed = []
    monkeypatch.setattr(
        LoadFileScheduling,
        "_assign_work_unit",
        lambda self, node: handed.append(self.workqueue.popitem(last=False)[0]),
    )
    scheduling = SlowestFirst.__new__(SlowestFirst)
    # xdist's own order: the files with the most tests first.
    others = ["tests/api/test_contacts.py", "tests/segments/test_views.py"]
    scheduling.workqueue = OrderedDict(
        (scope, {}) for scope in [others[0], *reversed(SLOWEST_FIRST), others[1]]
    )
    for _ in range(len(scheduling.workqueue)):
        scheduling._assign_work_unit(node=None)
    assert handed == [*SLOWEST_FIRST, *others]


def test_the_url_coverage_runs_where_the_crawl_runs():
    scheduling = SlowestFirst.__new__(SlowestFirst)
    assert scheduling._split_scope(
        "tests/test_url_coverage.py::test_every_pattern_is_crawled_or_has_a_view_test[home]"
    ) == scheduling._split_scope("tests/test_crawl.py::test_no_page_answers_a_server_error")
    assert scheduling._split_scope("tests/test_pages.py::test_x") == "tests/test_pages.py"
