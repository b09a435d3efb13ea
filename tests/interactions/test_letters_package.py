"""interactions.letters as a package: one adapter for docx-mailmerge2, a thread-safe cache.

The merging itself is tested in test_letters.py; these tests hold the package's shape.
"""

import ast
import io
import threading
from collections import OrderedDict
from importlib.metadata import version
from pathlib import Path

import docx
import pytest
from packaging.requirements import Requirement

from interactions import letters
from interactions.letters.core import PreparedCache

ROOT = Path(__file__).resolve().parent.parent.parent

# No database in any of these: the SQLite pass runs them, the PostgreSQL pass need not.
pytestmark = pytest.mark.once


def paragraphs(document: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(document)).paragraphs]


def _imports_mailmerge(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "mailmerge" for alias in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mailmerge":
            return True
    return False


def test_only_the_adapter_imports_docx_mailmerge2():
    """Its private internals are used in one module, the one requirements.in names."""
    sources = [
        path
        for app in ("crm", "interactions", "jobs", "segments")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]
    users = [str(p.relative_to(ROOT)) for p in sources if _imports_mailmerge(p)]
    assert users == ["interactions/letters/_mailmerge.py"]


def test_docx_mailmerge2_is_pinned_to_the_versions_the_adapter_knows():
    lines = (ROOT / "requirements.in").read_text().splitlines()
    at = [n for n, line in enumerate(lines) if line.startswith("docx-mailmerge2")]
    assert len(at) == 1
    pinned = Requirement(lines[at[0]])
    assert "1.1" not in pinned.specifier
    assert version("docx-mailmerge2") in pinned.specifier
    assert any("_mailmerge.py" in line for line in lines[at[0] - 2 : at[0]])


class _GuardedDict(OrderedDict):
    """An OrderedDict that fails when it is changed without ``lock`` held."""

    lock: threading.Lock | None = None

    def _check(self):
        assert self.lock is None or self.lock.locked(), "cache changed without its lock"

    def __setitem__(self, key, value):
        self._check()
        super().__setitem__(key, value)

    def move_to_end(self, key, last=True):
        self._check()
        super().move_to_end(key, last)

    def popitem(self, last=True):
        self._check()
        return super().popitem(last)

    def clear(self):
        self._check()
        super().clear()


def test_the_prepared_cache_changes_only_under_its_lock():
    cache = PreparedCache(size=2)
    guarded = _GuardedDict()
    guarded.lock = cache._lock
    cache._letters = guarded
    documents = [letters.build_document([f"Letter {n} «ContactName»"]) for n in range(3)]
    for document in [*documents, documents[0], documents[2]]:  # inserts, evicts, reorders
        prepared = cache.get(bytes(document))  # a new bytes object: no identity shortcut
        assert prepared.field_names == ["ContactName"]
    assert len(cache._letters) == 2
    cache.clear()
    assert not cache._letters


def test_two_threads_sharing_the_cache_get_their_own_letters(monkeypatch):
    """Threads rendering different documents at once, evicting each other, stay correct."""
    cache = PreparedCache(size=2)
    monkeypatch.setattr("interactions.letters.core.CACHE", cache)
    documents = [letters.build_document([f"Letter {n} for «ContactName»"]) for n in range(4)]
    start = threading.Barrier(4)
    wrong: list[str] = []

    def work(thread: int):
        start.wait()
        for round_no in range(15):
            number = (thread + round_no) % len(documents)
            name = f"T{thread}R{round_no}"
            letter = letters.render(bytes(documents[number]), {"ContactName": name})
            if paragraphs(letter) != [f"Letter {number} for {name}"]:
                wrong.append(f"{thread}/{round_no}: {paragraphs(letter)}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == []
    assert len(cache._letters) <= 2


def test_merge_text_fills_fields_as_a_letter_does():
    """A subject or description as the contact reads it: the letters' rule on plain text
    (issue 17: the worksheet shows subjects merged)."""
    values = {"CompanyName": "Fjord\x01 AS", "ContactName": "", "City": "Bergen"}
    assert letters.merge_text("Offer for «CompanyName» in «city»", values) == (
        "Offer for Fjord AS in Bergen"
    )
    # An empty value is empty; a field without a value stays visible, as in a letter.
    assert letters.merge_text("Hi «ContactName»! «Unknown»", values) == "Hi ! «Unknown»"
    assert letters.merge_text("No fields", values) == "No fields"
