"""How make test's two workers share the files (pytest-xdist, ``--dist loadfile``).

xdist hands out whole files, the files with the most tests first. Two files take minutes
with one test each (the axe checks) and went last, so one worker often ran on alone at
the end; and the crawl's two files each crawled the demo on their own worker. Here the
slowest files go first and the crawl's files go to one worker, which crawls once.
"""

from xdist.scheduler import LoadFileScheduling

#: The files that take longest, started first (about 140 s, 130 s and 50 s on 2 cores).
SLOWEST_FIRST = (
    "tests/browser/test_accessibility.py",
    "tests/browser/test_accessibility_nb.py",
    "tests/test_crawl.py",
)
#: Files that share a session fixture with another file, run by the same worker.
SAME_WORKER_AS = {"tests/test_url_coverage.py": "tests/test_crawl.py"}


class SlowestFirst(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        return SAME_WORKER_AS.get(scope, scope)

    def _assign_work_unit(self, node) -> None:
        for scope in SLOWEST_FIRST:
            if scope in self.workqueue:
                self.workqueue.move_to_end(scope, last=False)
                break
        super()._assign_work_unit(node)
