"""The catalogue and the sandbox, held to what Lightspeed really answers and documents (tests/fixtures/lightspeed/).

The sandbox stands in for Lightspeed in every other test, so each difference here would be a bug only a real account
meets. Compared field by field: the catalogue with the endpoint pages (sortable fields, relations); the sandbox's
records with the pages' field tables (no documented field missing, no field invented) and with the recorded answers
(names, how values are written, how relations nest); envelopes; error bodies. Where a source is itself wrong or
ambiguous, the exception is listed below with the reason, and docs/lightspeed-api.md section 9 says which was followed.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ls_widget import sandbox
from ls_widget.catalogue import CATALOGUE

from .recordings import ERRORS, RECORDINGS, documented, form, load, record_key, records_of

FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)
DATA = dict(items=150, customers=60, sales=250, shops=2, registers=2, employees=4, categories=8)

# Where a page contradicts itself or the recordings (docs/lightspeed-api.md section 9).
SORT_DEVIATIONS = {"PriceLevel": "the page lists orderLineID, a copy of OrderLine's page"}
FIELD_DEVIATIONS = {
    ("ItemShop", "onWorkOrder"): "the page's sample (and the sandbox) spell it onWorkorder",
    ("TaxClass", "SaleLines"): "a link to the lines of that class, not a value of the record",
    ("TaxClass", "Items"): "a link to the items of that class, not a value of the record",
    ("SaleLine", "requireFullReservation"): "the page: an optional flag of a request payload, not of answers",
}
NESTED_TYPES = {"object", "reference", "collection", "array"}

# A recorded or documented record, and the sandbox request that answers the same question.
PAIRS = [
    ("lsdocs__item_single_v3.json", "Item/1.json"),
    ("marketplacer__item_by_id_load_relations_all.json", "Item/1.json?load_relations=all"),
    ("marketplacer__item_list_page_truncated.json", "Item.json?limit=20&load_relations=all"),
    ("lsdocs__itemshop_list_v3.json", "ItemShop.json?limit=20"),
    ("lsdocs__sale_single_v3.json", "Sale.json?limit=50&completed=true"),
    ("marketplacer__sale_list_page_truncated_with_lines_payments.json",
     "Sale.json?limit=50&load_relations=" + quote('["SaleLines","SalePayments","Customer","TaxCategory"]')),
    ("marketplacer__saleline_by_id.json", "SaleLine.json?limit=50&load_relations=all"),
    ("lsdocs__salepayment_single_v3.json", "SalePayment.json?limit=50"),
    ("lsdocs__register_list_v3.json", "Register.json"),
    ("lsdocs__shop_single_v3.json", "Shop.json"),
    ("marketplacer__shop_by_id_with_registers.json", "Shop.json?load_relations=all"),
    ("marketplacer__customer_query_single_result.json", "Customer.json?limit=60&load_relations=all"),
    ("marketplacer__employee_query_single_result.json", "Employee.json?load_relations=all"),
    ("marketplacer__category_list.json", "Category.json"),
    ("marketplacer__vendor_by_id_with_contact.json", "Vendor.json?load_relations=all"),
    ("marketplacer__vendor_list_last_page.json", "Vendor.json?load_relations=all"),
    ("marketplacer__order_query_single_result.json", "Order.json?load_relations=all"),
    ("marketplacer__pricelevel_list.json", "PriceLevel.json"),
    ("marketplacer__itemmatrix_by_id.json", "ItemMatrix.json?load_relations=all"),
    ("jboltron__itemmatrix_by_id_attribute_values.json", "ItemMatrix.json?load_relations=all"),
]
# Text that only looks like a number: codes and references, written as the merchant typed them.
# Recorded both as a string (one value) and as a list (several): jboltron__itemmatrix_by_id_attribute_values.json.
ONE_OR_MANY = {"attribute1Values", "attribute2Values", "attribute3Values"}
CODES = {"upc", "ean", "customSku", "manufacturerSku", "systemSku", "ticketNumber", "referenceNumber", "accountNumber",
         "custom", "number", "zip", "accessPin", "serial"}


@pytest.fixture
def session():
    with sandbox.start(**DATA, **FAST) as box:
        conn = box.connection(name="Conformance", scopes=["employee:all"])
        conn.complete_authorization(box.approve(conn.authorization_url()))
        yield conn.session


def answer(session, path: str) -> tuple[int, dict]:
    response = session.request("GET", path)
    return response.status_code, response.json()


def sandbox_records(session, resource: str, limit: int = 50) -> list[dict]:
    return records_of(answer(session, f"{resource}.json?limit={limit}&archived=true")[1])


def scalars(record: dict) -> dict:
    return {k: v for k, v in record.items() if not isinstance(v, (dict, list))}


# -- the catalogue is the documentation -------------------------------------------------------------------------
@pytest.mark.parametrize("resource", [r for r in CATALOGUE if r.syncable], ids=lambda r: r.name)
def test_the_catalogue_sorts_and_relates_as_the_endpoint_page_says(resource):
    page = documented(resource.name)
    if resource.name not in SORT_DEVIATIONS:
        assert list(resource.sortable) == page["sortable"]
    top_level = {name.rstrip("*") for name in page["relations"] if "." not in name}
    assert set(resource.relation_names) == top_level


# -- the sandbox's records are the documented ones ----------------------------------------------------------------
@pytest.mark.parametrize("resource", [r for r in CATALOGUE if r.syncable], ids=lambda r: r.name)
def test_every_documented_field_is_served_and_none_is_invented(session, resource):
    fields = documented(resource.name)["fields"]
    records = sandbox_records(session, resource.name)
    assert records, f"the sandbox serves no {resource.name}"
    served = set().union(*(scalars(r) for r in records))
    expected = {name for name, kind in fields if kind not in NESTED_TYPES}
    missing = {name for name in expected - served if (resource.name, name) not in FIELD_DEVIATIONS}
    assert not missing, f"{resource.name}: documented fields the sandbox never sends: {sorted(missing)}"
    seen_for_real = {name for data in RECORDINGS.values() for record in _records_named(data, resource.name)
                     for name in record}
    invented = served - {name for name, _ in fields} - seen_for_real
    assert not invented, f"{resource.name}: fields neither documented nor recorded: {sorted(invented)}"


def _records_named(data: dict, resource: str) -> list[dict]:
    """Records of ``resource`` anywhere in an answer: at the top, or embedded in another record."""
    found = records_of(data) if record_key(data) == resource else []
    stack = list(records_of(data))
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == resource and isinstance(inner, (dict, list)):
                    found += [inner] if isinstance(inner, dict) else [r for r in inner if isinstance(r, dict)]
                stack.append(inner)
        elif isinstance(value, list):
            stack.extend(value)
    return found


# -- values are written as Lightspeed writes them -----------------------------------------------------------------
def compatible(real: str, served: str, field: str) -> bool:
    """Whether a sandbox value's form can stand where the recording has ``real`` (form() of each)."""
    if real == served:
        return True
    if field in ONE_OR_MANY and {real, served} <= {"text", "list"}:
        return True
    if field in CODES or real in ("empty", "text"):
        return served in ("empty", "text", "integer", "decimal")
    if real in ("integer", "decimal"):
        return served in ("integer", "decimal")
    if real == "datetime":
        return False  # a date that is not set is left out (section 7), never written another way
    return real in ("object", "list") and served in ("object", "list", "empty")


@pytest.mark.parametrize("fixture, path", PAIRS, ids=[p[0] for p in PAIRS])
def test_recorded_records_and_the_sandbox_name_write_and_nest_values_alike(session, fixture, path):
    data = load(fixture)
    resource = record_key(data)
    status, body = answer(session, path)
    assert status == 200, body
    served = records_of(body)
    assert served, f"the sandbox answered {path} with no {resource}"
    forms: dict[str, set] = {}
    for record in served:
        for key, value in record.items():
            forms.setdefault(key, set()).add(form(value))
    for real in records_of(data):
        missing = [k for k, v in scalars(real).items() if k not in forms and not _legacy_only(resource, k)]
        assert not missing, f"{fixture}: recorded fields the sandbox never sends: {missing}"
        for key, value in real.items():
            if key not in forms:
                continue  # a relation this account leaves empty is absent, as Lightspeed leaves it out
            wrong = {f for f in forms[key] if not compatible(form(value), f, key)}
            assert not wrong, f"{fixture}: {resource}.{key} is {form(value)} ({value!r:.40}) there, {wrong} here"
            if isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value.values())), (dict, list)):
                wrapper = next(iter(value))  # a to-many relation: {"SaleLine": [...]} or {"SaleLine": {...}}
                nested = [r[key] for r in served if isinstance(r.get(key), dict)]
                assert nested and all(list(n) == [wrapper] for n in nested), f"{resource}.{key} wraps {wrapper}"


def _legacy_only(resource: str, field: str) -> bool:
    """Recorded in 2015-2019 but no longer on the endpoint page (e.g. Employee.accessPin): not required today."""
    try:
        fields = {name for name, _ in documented(resource)["fields"]}
    except KeyError:
        return False
    return field not in fields


def test_every_value_the_sandbox_writes_is_a_string_in_lightspeeds_forms(session):
    bad = []
    for resource in CATALOGUE:
        if not resource.syncable:
            continue
        relations = "&load_relations=all" if resource.relations else ""
        stack = list(records_of(answer(session, f"{resource.name}.json?limit=100&archived=true{relations}")[1]))
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            elif form(value) in ("not-a-string", "bad-decimal", "bad-datetime"):
                bad.append((resource.name, value))
    assert not bad, bad[:10]


# -- envelopes and errors ---------------------------------------------------------------------------------------
def test_envelopes_are_lightspeeds(session):
    single = load("lsdocs__sale_single_v3.json")
    status, body = answer(session, "Sale/1.json")
    assert body["@attributes"] == single["@attributes"] == {"count": "1"} and isinstance(body["Sale"], dict)
    page = load("lsdocs__register_list_v3.json")
    status, body = answer(session, "Register.json")
    assert set(body["@attributes"]) == set(page["@attributes"]) == {"next", "previous"}
    status, body = answer(session, "Item.json?itemID=1&archived=true")
    assert isinstance(body["Item"], dict)  # one match: an object, as recorded
    empty = load("marketplacer__category_query_empty_result.json")
    status, body = answer(session, "Category.json?categoryID=999999")
    assert record_key(body) is None and record_key(empty) is None  # no key at all, as recorded
    counted = load("lsdocs__envelope_count_only.json")
    status, body = answer(session, "Sale.json?count=1")
    assert set(body) == set(counted) == {"@attributes"} and set(body["@attributes"]) == {"count"}


@pytest.mark.parametrize("name, path", [
    ("marketplacer__error_404_not_found.json", "Employee/999999.json"),
    ("marketplacer__error_400_bad_request.json", "Item.json?sort=nonsense"),
])
def test_error_bodies_have_lightspeeds_shape(session, name, path):
    real = ERRORS[name]
    status, body = answer(session, path)
    assert set(body) == set(real), json.dumps(body)
    assert body["httpCode"] == str(status) and isinstance(body["message"], str) and body["message"]
    assert status == int(real["httpCode"])
