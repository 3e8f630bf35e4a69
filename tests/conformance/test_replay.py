"""Real Lightspeed answers, replayed through the session and ``to_pandas`` (tests/fixtures/lightspeed/SOURCES.md).

Every kept recording and documentation sample is served as it was recorded (status, body and, for the legacy
errors, the ``text/html`` content type Lightspeed really sent) by a server on 127.0.0.1 at the path the real request
used; the session must read each one as Lightspeed meant it: records as lists whatever their count, the count of a
``count=1`` answer, typed frames, and typed errors quoting Lightspeed's message.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ls_widget import ApiError
from ls_widget.session import Page

from ..trust.conftest import api, stored_session  # noqa: F401 - api is a fixture
from ..trust.hostile import answer
from .recordings import RECORDINGS, load, record_key, records_of

V3 = "/API/V3/Account/5"
V2 = "/API/Account/5"
BY_ID = {name: data for name, data in RECORDINGS.items() if "by_id" in name or "_single_" in name}
QUERIES = {name: data for name, data in RECORDINGS.items()
           if record_key(data) and name not in BY_ID and not name.startswith("lsdocs__envelope")}


@pytest.mark.parametrize("name", sorted(BY_ID))
def test_a_recorded_single_record_reads_as_that_record(api, monkeypatch, name):
    data = BY_ID[name]
    resource = record_key(data)
    record = data[resource]
    key = resource[0].lower() + resource[1:] + "ID"
    legacy = name.startswith(("marketplacer", "jboltron"))
    session = stored_session(api.url, monkeypatch, "v2" if legacy else "v3")
    api.routes[f"{V2 if legacy else V3}/{resource}/{record[key]}.json"] = answer(200, data)
    assert session.get(resource, record[key]) == record
    assert api.received[-1].path.startswith(f"{V2 if legacy else V3}/{resource}/{record[key]}.json")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_recorded_page_reads_as_a_list_of_its_records(api, monkeypatch, name):
    data = QUERIES[name]
    resource = record_key(data)
    legacy = "next" not in data.get("@attributes", {})
    session = stored_session(api.url, monkeypatch, "v2" if legacy else "v3")
    api.routes[f"{V2 if legacy else V3}/{resource}.json"] = answer(200, data)
    records = session.get(resource)
    assert records == records_of(data)
    assert isinstance(records, list) and all(isinstance(r, dict) for r in records)


def test_an_empty_recorded_answer_is_no_records(api, monkeypatch):
    data = load("marketplacer__category_query_empty_result.json")
    assert "Category" not in data  # as recorded: no key at all, not an empty list
    session = stored_session(api.url, monkeypatch, "v2")
    api.routes[f"{V2}/Category.json"] = answer(200, data)
    assert session.get("Category", categoryID=10) == []


def test_the_documented_count_answer_is_a_number(api, monkeypatch):
    session = stored_session(api.url, monkeypatch)
    api.routes[f"{V3}/Sale.json"] = answer(200, load("lsdocs__envelope_count_only.json"))
    assert session.count("Sale") == 764
    assert "count=1" in api.received[-1].path


def test_the_documented_first_page_names_the_next_one_verbatim():
    data = load("lsdocs__envelope_first_page_next.json")
    page = Page(data)
    assert page.next_url() == data["@attributes"]["next"] and "after=WzEwMF0%3D" in page.next_url()


@pytest.mark.parametrize("name, status, says", [
    ("marketplacer__error_404_not_found.json", 404, "Object of type 'Employee' not found with primary ID '2'."),
    ("marketplacer__error_400_bad_request.json", 400, "Item not created. An Item must have a description."),
])
def test_a_recorded_error_is_an_api_error_quoting_lightspeed(api, monkeypatch, name, status, says):
    session = stored_session(api.url, monkeypatch, "v2")
    # As recorded: a JSON body sent as text/html.
    api.routes[f"{V2}/Employee/2.json"] = answer(status, load(name), {"Content-Type": "text/html; charset=UTF-8"})
    with pytest.raises(ApiError) as caught:
        session.get("Employee", 2)
    assert caught.value.status == status and caught.value.message == says


def _frame(api, monkeypatch, resource: str, records: list) -> pd.DataFrame:
    """``to_pandas`` of real records (served as one V3 page: the records are the recording's, unchanged)."""
    session = stored_session(api.url, monkeypatch)
    api.routes[f"{V3}/{resource}.json"] = answer(200, {"@attributes": {"next": "", "previous": ""},
                                                      resource: records})
    return session.to_pandas(resource, progress=False)


def test_recorded_items_become_typed_columns(api, monkeypatch):
    records = records_of(load("marketplacer__item_list_page_truncated.json"))
    frame = _frame(api, monkeypatch, "Item", records)
    assert len(frame) == len(records)
    assert isinstance(frame["timeStamp"].dtype, pd.DatetimeTZDtype) and str(frame["timeStamp"].dt.tz) == "UTC"
    assert frame["archived"].dtype == bool
    for column in ("defaultCost", "avgCost"):
        assert pd.api.types.is_numeric_dtype(frame[column])
        assert list(frame[column]) == [float(r[column]) for r in records]
    assert list(frame["itemID"].astype(str)) == [r["itemID"] for r in records]


def test_recorded_sales_keep_full_precision_and_flatten_their_relations(api, monkeypatch):
    records = records_of(load("marketplacer__sale_list_page_truncated_with_lines_payments.json"))
    frame = _frame(api, monkeypatch, "Sale", records)
    assert list(frame["calcTotal"]) == [float(r["calcTotal"]) for r in records]
    assert frame["completed"].dtype == bool
    # A relation with one record is an object (flattened into dotted columns), with several a list (kept whole):
    # as recorded, sale 39 was paid once and sale 56 twice; both payments are in the frame.
    by_id = frame.set_index(frame["saleID"].astype(str))
    assert float(by_id.loc["39", "SalePayments.SalePayment.amount"]) == float(
        records[1]["SalePayments"]["SalePayment"]["amount"])
    assert [p["amount"] for p in by_id.loc["56", "SalePayments.SalePayment"]] == [
        p["amount"] for p in records[2]["SalePayments"]["SalePayment"]]


def test_a_documented_itemshop_page_keeps_the_summary_row_and_its_quantities(api, monkeypatch):
    records = records_of(load("lsdocs__itemshop_list_v3.json"))
    frame = _frame(api, monkeypatch, "ItemShop", records)
    assert list(frame["shopID"].astype(str)) == [r["shopID"] for r in records]
    assert all(math.isclose(a, float(r["sellable"])) for a, r in zip(frame["sellable"], records))
