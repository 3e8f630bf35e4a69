"""Sync tests: the sandbox as Lightspeed, a connection signed in to it, and helpers to compare tables with it."""

from __future__ import annotations

import pytest

pytest.importorskip("dlt", reason="the sync extra (dlt) is part of the test install")

from ls_widget import sandbox  # noqa: E402

DATA = dict(items=420, customers=130, sales=350, employees=4, categories=6)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)


@pytest.fixture
def box():
    with sandbox.start(**DATA, **FAST) as running:
        yield running


@pytest.fixture
def conn(box):
    connection = box.connection(name="Downtown", scopes=["employee:all"])
    connection.complete_authorization(box.approve(connection.authorization_url()))
    return connection


class Requests:
    """Every request the session sends, by URL (the sync's cost, counted as Lightspeed would)."""

    def __init__(self, session) -> None:
        self.urls: list[str] = []
        session.event_hooks["request"].append(lambda request: self.urls.append(str(request.url)))

    def __len__(self) -> int:
        return len(self.urls)

    def clear(self) -> None:
        self.urls.clear()


def source_rows(session, resource: str, key: str) -> dict[str, dict]:
    """What Lightspeed holds now, archived records included, by key."""
    return {str(r[key]): r for r in session.iter(resource, archived="true")}


def source_lines(session) -> set[tuple[str, str]]:
    lines = set()
    for sale in session.iter("Sale", archived="true", load_relations=["SaleLines"]):
        nested = (sale.get("SaleLines") or {}).get("SaleLine") or []
        for line in [nested] if isinstance(nested, dict) else nested:
            lines.add((str(line["saleLineID"]), str(sale["saleID"])))
    return lines


def assert_tables_equal_source(conn, resources=("Item", "Sale", "Customer")) -> None:
    session = conn.session
    for resource in resources:
        key = resource[0].lower() + resource[1:] + "ID"
        table = conn.sql(f'select * from "{resource}"')
        assert table[key].is_unique, f"{resource} holds duplicates"
        source = source_rows(session, resource, key)
        assert set(table[key].astype(str)) == set(source), resource
        stored = {str(k): str(t) for k, t in zip(table[key], table["timeStamp"])}
        for record_key, record in source.items():  # same version of every record
            assert stored[record_key][:19].replace(" ", "T") == record["timeStamp"][:19], (resource, record_key)
    if "Sale" in resources:
        lines = conn.sql('select saleLineID, saleID from "SaleLine"')
        assert lines["saleLineID"].is_unique
        assert set(zip(lines["saleLineID"].astype(str), lines["saleID"].astype(str))) == source_lines(session)
