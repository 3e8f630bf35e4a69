"""A sync of every catalogued resource, each read the way Lightspeed allows (the sandbox refuses any other sort)."""

from __future__ import annotations

import ls_widget
from ls_widget.catalogue import CATALOGUE, FULL, INCREMENTAL

from .conftest import Requests

SYNCED = [r for r in CATALOGUE if r.syncable and not r.child_of]


def test_all_syncs_every_resource_with_its_own_strategy_and_tables_equal_the_source(conn):
    result = conn.sync(ls_widget.resources(), progress=False)
    assert result.skipped == {}
    assert set(result.tables) == {t for r in SYNCED for t in r.tables}
    session = conn.session
    for resource in SYNCED:
        assert result.tables[resource.name].strategy == resource.strategy, resource.name
        source = {str(r[resource.key]) for r in session.iter(resource.name, archived="true")}
        table = conn.sql(f'select "{resource.key}" from "{resource.name}"') if source else None
        stored = set(table[resource.key].astype(str)) if table is not None and len(table.columns) else set()
        assert stored == source, resource.name
    assert "timeStamp" not in conn.read("Register").columns  # Lightspeed's registers have none
    payments = conn.sql('select saleID, amount from "SalePayment"')
    assert len(payments) > 0 and payments["saleID"].notna().all()
    assert "full" in repr(result) and "incremental" in repr(result)


def test_a_repeat_sync_reads_the_small_tables_whole_and_the_rest_by_their_changes(conn):
    conn.sync("all", progress=False)
    requests = Requests(conn.session)
    result = conn.sync("all", progress=False)
    for resource in SYNCED:
        stats = result.tables[resource.name]
        assert stats.inserted == stats.deleted == 0 and stats.updated == 0, resource.name
    by_resource = {r.name: [u for u in requests.urls if f"/{r.name}.json" in u] for r in SYNCED}
    for resource in SYNCED:
        urls = by_resource[resource.name]
        if resource.strategy == INCREMENTAL:
            assert all("sort=timeStamp" in u and "timeStamp=%3E%3D" in u for u in urls), resource.name
        else:
            assert resource.strategy == FULL and not any("sort=" in u for u in urls), resource.name
    assert all(len(urls) == 1 for urls in by_resource.values())  # every resource fits one page here


def test_all_takes_what_the_scopes_read_and_says_what_it_skipped(box):
    connection = box.connection(name="Tills", scopes=["employee:register_read"])
    connection.complete_authorization(box.approve(connection.authorization_url()))
    result = connection.sync("all", progress=False)
    assert set(result.tables) == {"Shop", "Register", "Sale", "SaleLine", "SalePayment"}
    assert "Item" in result.skipped and "employee:inventory_read" in result.skipped["Item"]
    assert "Item: skipped" in repr(result)


def test_asking_for_sale_lines_syncs_their_sales(conn):
    result = conn.sync(["SaleLine"], progress=False)
    assert set(result.tables) == {"Sale", "SaleLine", "SalePayment"}


def test_stock_summed_over_the_shops_equals_the_summary_row_never_twice(box, conn):
    """Lightspeed's ItemShop rows with shopID 0 sum the shops' rows: a total over all rows counts stock twice."""
    conn.sync(["ItemShop"], progress=False)
    per_shop = conn.sql("""select itemID, sum(cast(qoh as bigint)) as qoh from "ItemShop"
                           where shopID <> '0' group by itemID""").set_index("itemID")["qoh"]
    summary = conn.sql("""select itemID, cast(qoh as bigint) as qoh from "ItemShop" where shopID = '0'""") \
        .set_index("itemID")["qoh"]
    everything = conn.sql('select itemID, sum(cast(qoh as bigint)) as qoh from "ItemShop" group by itemID') \
        .set_index("itemID")["qoh"]
    # Ground truth from the sandbox's generator, independently of the synced tables and their SQL.
    account = box.state.account(box.account_id)
    truth = {}
    for item in account.table("Item").records:
        truth[item["itemID"]] = sum(int(row["qoh"]) for row in account.item_shops(item) if row["shopID"] != "0")
    assert {str(k): int(v) for k, v in per_shop.items()} == truth
    assert {str(k): int(v) for k, v in summary.items()} == truth
    stocked = [k for k, v in truth.items() if v]
    assert stocked and all(int(everything[k]) == 2 * truth[k] for k in stocked)
