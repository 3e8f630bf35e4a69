"""The resource catalogue: what Lightspeed allows, refused before a request, and the strategies the sync takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ls_widget
from ls_widget import ConfigurationError
from ls_widget.catalogue import CATALOGUE, FULL, INCREMENTAL, check_request, markdown_table
from ls_widget.sync.specs import select, spec_for

from .trust.conftest import api, page, stored_session  # noqa: F401 - api is a fixture
from .trust.hostile import answer

DOC = Path(__file__).resolve().parents[1] / "docs/lightspeed-api.md"
NAMED_IN_THE_ISSUE = ("Account", "Shop", "Register", "Employee", "Category", "Manufacturer", "Vendor", "Item",
                      "ItemShop", "ItemMatrix", "PriceLevel", "TaxCategory", "Customer", "CustomerType", "Sale",
                      "SaleLine", "SalePayment", "PaymentType", "Order", "OrderLine", "Discount")


def test_every_resource_an_analyst_reads_is_catalogued_with_what_lightspeed_allows():
    catalogue = ls_widget.resources()
    assert set(NAMED_IN_THE_ISSUE) <= set(catalogue.names)
    for resource in catalogue:
        assert resource.key == resource.name[0].lower() + resource.name[1:] + "ID"
        assert resource.key in resource.sortable  # Lightspeed sorts every list by its ID
        assert resource.doc.startswith("https://developers.lightspeedhq.com/retail/endpoints/")
        assert len({r.name for r in resource.relations}) == len(resource.relations)
        for relation in resource.relations:
            assert not relation.target or relation.target in catalogue, relation


def test_the_documented_sorting_rules_decide_the_strategy():
    catalogue = ls_widget.resources()
    assert catalogue["Shop"].sortable == ("shopID",) and catalogue["Shop"].strategy == FULL
    assert catalogue["Register"].sortable == ("registerID",) and not catalogue["Register"].timestamp
    assert catalogue["Register"].strategy == FULL
    assert {"completeTime", "updatetime"} <= set(catalogue["Sale"].sortable)
    assert catalogue["Sale"].strategy == INCREMENTAL and catalogue["Item"].strategy == INCREMENTAL
    assert {"leftNode", "rightNode"} <= set(catalogue["Category"].sortable)
    assert {"firstName", "lastName"} <= set(catalogue["Customer"].sortable)
    assert "description" in catalogue["Item"].sortable and "saleID" in catalogue["SaleLine"].sortable


def test_a_sort_lightspeed_refuses_is_refused_here_naming_the_allowed_ones():
    with pytest.raises(ConfigurationError, match=r"Shop by 'timeStamp'.*Sortable fields: shopID"):
        check_request("Shop", {"sort": "timeStamp"})
    with pytest.raises(ConfigurationError, match="registerID"):
        check_request("Register", {"sort": "-timeStamp"})
    check_request("Sale", {"sort": "-completeTime"})
    check_request("Item", {"sort": "description"})


def test_a_relation_the_resource_lacks_is_refused_naming_its_relations():
    with pytest.raises(ConfigurationError, match=r"Item has no relation 'SaleLines'.*ItemShops"):
        check_request("Item", {"load_relations": ["ItemShops", "SaleLines"]})
    with pytest.raises(ConfigurationError, match=r"SaleLine has no relation 'Shops'"):
        check_request("Sale", {"load_relations": ["SaleLines.Shops"]})
    check_request("Sale", {"load_relations": ["SaleLines.Item", "SalePayments.PaymentType", "Customer.Contact"]})
    check_request("Item", {"load_relations": "all"})


def test_an_unknown_resource_is_refused_with_the_likely_one():
    with pytest.raises(ConfigurationError, match="Did you mean 'Item'"):
        check_request("item", {})
    with pytest.raises(ConfigurationError, match="Did you mean 'Sale'"):
        check_request("Sales", {})
    check_request("Workorder", {"sort": "anything"})  # a real resource the catalogue does not describe: Lightspeed's


@pytest.mark.parametrize("path", ["../../Account", "Item/..", "Item/1/../../Shop", "Item/1?x=2", "Item//"])
def test_a_path_that_leaves_the_resource_is_refused(path):
    with pytest.raises(ConfigurationError):
        check_request(path, {})


def test_the_session_refuses_before_sending_anything(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes["/API/V3/Account/5/Shop.json"] = answer(200, page("Shop", [{"shopID": "1"}]))
    with pytest.raises(ConfigurationError, match="Sortable fields: shopID"):
        list(session.iter("Shop", sort="timeStamp"))
    with pytest.raises(ConfigurationError, match="no relation"):
        session.get("Item", load_relations=["Bogus"])
    with pytest.raises(ConfigurationError):
        session.get("Item", "../../Account")
    with pytest.raises(ConfigurationError, match="Did you mean"):
        session.count("Items")
    assert api.received == []
    assert session.get("Shop") == [{"shopID": "1"}]


def test_all_means_what_the_scopes_read_and_says_what_was_skipped():
    specs, skipped, optional = select("all", ["employee:register_read"])
    assert [s.resource for s in specs] == ["Shop", "Register", "Sale"] and optional == {"Shop", "Register", "Sale"}
    assert "Item" in skipped and "employee:inventory_read" in skipped["Item"]
    assert "SaleLine" not in skipped and "Account" not in skipped  # children come with Sale; Account is no table
    sale = next(s for s in specs if s.resource == "Sale")
    assert sale.tables == ("Sale", "SaleLine", "SalePayment") and sale.relations == ("SaleLines", "SalePayments")
    everything, none_skipped, _ = select(ls_widget.resources(), ["employee:all"])
    assert none_skipped == {} and len(everything) == len([r for r in CATALOGUE if r.syncable and not r.child_of])
    assert select(["Sale", "all"], ["employee:all"])[0] == everything


def test_a_child_syncs_its_parent_and_named_resources_are_always_tried():
    assert spec_for("SaleLine") == spec_for("Sale")
    specs, skipped, optional = select(["Item", "SaleLine", "Sale"], ["employee:register_read"])
    assert [s.resource for s in specs] == ["Item", "Sale"] and skipped == {} and optional == set()
    assert spec_for("Register").strategy == FULL and not spec_for("Register").timestamp
    assert spec_for("Workorder").strategy == FULL and spec_for("Workorder").key == "workorderID"
    with pytest.raises(ConfigurationError, match="account_name"):
        spec_for("Account")
    with pytest.raises(ConfigurationError, match="scopes read none"):
        select("all", ["employee:register_layaway"])
    for bad in (None, 5):
        with pytest.raises(ConfigurationError, match="list"):
            select(bad, None)


def test_the_catalogue_reads_well_in_a_notebook():
    catalogue = ls_widget.resources()
    text = repr(catalogue)
    assert text.splitlines()[0].split() == ["resource", "key", "sync", "sortable", "scopes"]
    assert re.search(r"^Register +registerID +full +registerID", text, re.M)
    html = catalogue._repr_html_()
    assert html.count("<tr>") == len(catalogue) + 1 and "<caption>" in html
    frame = catalogue.to_pandas()
    assert list(frame["resource"]) == list(catalogue.names)


def test_the_documentation_table_is_the_catalogue():
    text = DOC.read_text()
    assert markdown_table() in text, "regenerate docs/lightspeed-api.md section 9: .venv/bin/python scripts/catalogue_doc.py"
