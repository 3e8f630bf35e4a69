"""Resources that fit in one chunk share a load (run.py's ``_Batch``): a sync of everything is a few dlt runs, not one
per resource, and the pages waiting for that load still count toward fetch.py's rule, so a kill loses no more."""

from __future__ import annotations

import pytest

from ls_widget import ApiError, LightspeedSession
from ls_widget.catalogue import CATALOGUE
from ls_widget.sync import fetch
from ls_widget.sync.target import Target

SYNCED = [r for r in CATALOGUE if r.syncable and not r.child_of]


@pytest.fixture
def loads(monkeypatch):
    """The tables of each dlt run the sync makes, in order."""
    real, made = Target.load, []

    def load(self, resources, **kwargs):
        made.append(sorted({resource.name for resource in resources}))
        return real(self, resources, **kwargs)

    monkeypatch.setattr(Target, "load", load)
    return made


def test_a_sync_of_everything_on_a_small_account_is_one_load(conn, loads):
    result = conn.sync("all", progress=False)
    assert len(loads) == 1, loads  # every resource is a page or a few here: 21 loads before they shared one
    assert set(loads[0]) == set(result.tables)
    session = conn.session
    for resource in SYNCED:  # each table's result is counted after the load that holds its rows
        stats = result.tables[resource.name]
        source = sum(1 for _ in session.iter(resource.name, archived="true"))
        assert stats.rows == stats.inserted == source, resource.name
    again = conn.sync("all", progress=False)  # a repeat sync reads a page a resource: one load again
    assert len(loads) == 2 and all(s.inserted == s.updated == s.deleted == 0 for s in again.tables.values())


def expected_loads(pages: list[str]) -> int:
    """The loads fetch.py's rule makes of these pages (each a resource's name, in the order fetched) when a chunk
    closes at ``COMMIT_PAGES``, counting the pages of resources waiting to be loaded: worked out here from the rule,
    not from the code."""
    runs: list[list] = []
    for resource in pages:
        if runs and runs[-1][0] == resource:
            runs[-1][1] += 1
        else:
            runs.append([resource, 1])
    made, waiting = 0, 0
    for _, count in runs:
        own = 0
        for _ in range(count):
            own += 1
            if own + waiting >= fetch.COMMIT_PAGES:  # a chunk closes: loaded with what waits
                made, waiting, own = made + 1, 0, 0
        waiting += own  # the resource's last pages wait
        if waiting >= fetch.COMMIT_PAGES:
            made, waiting = made + 1, 0
    return made + (1 if waiting else 0)


def test_the_pages_waiting_count_toward_the_chunk_across_resources(conn, loads, monkeypatch):
    """At Lightspeed's pace a chunk closes at 5 pages: the pages of resources waiting for a load count toward it, so
    no more is ever fetched and not loaded than one resource alone could have waiting."""
    monkeypatch.setattr(fetch, "COMMIT_SECONDS", 0.0)
    pages: list[str] = []
    real = LightspeedSession.pages

    def counted(self, resource, **params):
        for page in real(self, resource, **params):
            pages.append(resource)
            yield page

    monkeypatch.setattr(LightspeedSession, "pages", counted)
    result = conn.sync("all", progress=False)
    assert result.pages == len(pages) > 2 * fetch.COMMIT_PAGES
    assert len(loads) == expected_loads(pages), (pages, loads)
    assert len(loads) < len(SYNCED)  # still fewer loads than resources


def test_an_error_in_a_later_resource_keeps_what_the_earlier_ones_fetched(conn, monkeypatch):
    real = LightspeedSession.pages

    def failing(self, resource, **params):
        if resource == "Manufacturer":
            raise ApiError(500, "Lightspeed is down")
        yield from real(self, resource, **params)

    monkeypatch.setattr(LightspeedSession, "pages", failing)
    with pytest.raises(ApiError, match="Lightspeed is down"):
        conn.sync("all", progress=False)
    monkeypatch.setattr(LightspeedSession, "pages", real)
    session = conn.session
    for resource in ("Shop", "Register", "Employee", "Category"):  # the resources before Manufacturer
        assert len(conn.read(resource)) == sum(1 for _ in session.iter(resource, archived="true")), resource
    assert "Manufacturer" not in conn.tables()
