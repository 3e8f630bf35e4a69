"""conn.sync as an analyst meets it: a first sync, a repeat that costs almost nothing, a day of changes, full."""

from __future__ import annotations

import json
import math

import pandas as pd

from ls_widget import LightspeedConnection

from .conftest import Requests, assert_tables_equal_source

RESOURCES = ["Item", "Sale", "Customer"]


def test_a_first_sync_brings_every_record_and_sale_lines_in_a_table_of_their_own(conn):
    result = conn.sync(RESOURCES, progress=False)
    assert result.tables["Item"].inserted == 420 and result.tables["Customer"].inserted == 130
    assert result.tables["Sale"].inserted == 350 and result.tables["SaleLine"].inserted > 350
    assert result.pages == 5 + 4 + 2  # 100 records a page
    assert_tables_equal_source(conn)
    sales = conn.read("Sale")
    assert "SaleLines" not in sales.columns  # the lines live in SaleLine, one row per line
    assert sales["saleID"].dtype.kind in "iu" and str(sales["timeStamp"].dtype).startswith("datetime64")
    assert sales["completed"].dtype == bool and conn.read("Item")["archived"].dtype == bool


def test_a_repeat_sync_with_nothing_changed_costs_one_request_per_resource(conn):
    conn.sync(RESOURCES, progress=False)
    requests = Requests(conn.session)
    result = conn.sync(RESOURCES, progress=False)
    assert len(requests) == len(RESOURCES) and result.pages == len(RESOURCES)
    assert all(r.inserted == r.updated == r.deleted == 0 for r in result.tables.values())
    assert not any("count=1" in url for url in requests.urls)  # never a count on an incremental run


def test_a_day_of_changes_comes_down_in_a_few_requests_and_tables_equal_the_source(box, conn):
    conn.sync(RESOURCES, progress=False)
    box.advance_clock(3600)
    changes = box.day_of_changes(edits=120, adds=60, archives=15, deletes=0, resources=("Item",), seed=1)
    changed = sum(len(changes["Item"][kind]) for kind in ("edited", "added", "archived"))
    requests = Requests(conn.session)
    result = conn.sync(["Item"], progress=False)
    assert len(requests) <= math.ceil(changed / 100) + 2
    item = result.tables["Item"]
    assert item.inserted == len(changes["Item"]["added"])
    assert item.updated == len(changes["Item"]["edited"]) + len(changes["Item"]["archived"])
    assert_tables_equal_source(conn, ("Item",))
    archived = conn.read("Item").set_index("itemID")["archived"]
    assert all(archived[int(i)] for i in changes["Item"]["archived"])  # archivals arrive as updates


def test_changed_sales_replace_their_lines(box, conn):
    conn.sync(["Sale"], progress=False)
    box.advance_clock(3600)
    changes = box.day_of_changes(edits=20, adds=10, archives=3, deletes=0, resources=("Sale",), seed=2)
    result = conn.sync(["Sale"], progress=False)
    assert result.tables["Sale"].inserted == len(changes["Sale"]["added"])
    assert result.tables["SaleLine"].inserted >= len(changes["Sale"]["added"])
    assert_tables_equal_source(conn, ("Sale",))


def test_full_sync_removes_what_lightspeed_deleted(box, conn):
    conn.sync(RESOURCES, progress=False)
    box.advance_clock(3600)
    changes = box.day_of_changes(edits=0, adds=0, archives=0, deletes=4, resources=("Item", "Sale"), seed=3)
    incremental = conn.sync(["Item", "Sale"], progress=False)
    assert incremental.tables["Item"].deleted == 0  # an incremental pull cannot see deletions
    result = conn.sync(["Item", "Sale"], full=True, progress=False)
    assert result.tables["Item"].deleted == len(changes["Item"]["deleted"]) == 4
    assert result.tables["Sale"].deleted == 4 and result.tables["SaleLine"].deleted >= 4
    assert_tables_equal_source(conn, ("Item", "Sale"))


def test_the_panel_syncs_reads_and_queries_and_so_does_a_reopened_connection(conn):
    conn.sync(["Customer"], progress=False)
    frame = conn.sql("select count(*) as n from Customer")
    assert isinstance(frame, pd.DataFrame) and int(frame["n"][0]) == 130
    conn.save()
    again = LightspeedConnection.load("Downtown")
    assert len(again.read("Customer")) == 130
    assert again.connection.sync(["Customer"], progress=False).pages == 1


def test_reading_works_offline_and_says_what_is_not_synced_yet(conn, box):
    import pytest

    from ls_widget import ConfigurationError

    with pytest.raises(ConfigurationError, match="Nothing is synced"):  # not an empty frame that looks like data
        conn.read("Item")
    conn.sync(["Item"], progress=False)
    box.stop()
    assert len(conn.read("Item")) == 420  # no network needed to read the local tables


def test_v2_syncs_by_offset_pages(box):
    conn = box.connection(name="Legacy", api_type="v2", scopes=["employee:all"])
    conn.complete_authorization(box.approve(conn.authorization_url()))
    first = conn.sync(["Item", "Customer"], progress=False)
    assert first.tables["Item"].inserted == 420
    box.advance_clock(3600)
    box.day_of_changes(edits=5, adds=3, archives=1, deletes=0, resources=("Customer",), seed=4)
    again = conn.sync(["Item", "Customer"], progress=False)
    assert again.tables["Customer"].inserted == 3 and again.tables["Customer"].updated == 6
    assert again.pages == 2
    assert_tables_equal_source(conn, ("Item", "Customer"))


def test_the_panel_shows_the_last_sync_without_saying_where(conn, ls_home):
    assert conn._last_sync == {}
    conn.sync(["Item", "Customer"], progress=False)
    assert set(conn._last_sync) == {"at", "resources", "pages"}
    assert conn._last_sync["resources"] == ["Customer", "Item"] and conn._last_sync["pages"] == 5 + 2
    assert str(ls_home) not in json.dumps(conn.get_state())  # the local path of the tables stays on this machine
    assert LightspeedConnection.load("Downtown")._last_sync == conn._last_sync
