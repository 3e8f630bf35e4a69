"""Models built from what a sign-in can read: a missing optional input leaves its columns empty (and the sync says
so), a missing required one leaves the model unbuilt, and a later sync that brings an input rebuilds what reads it."""

from __future__ import annotations

import pandas as pd
import pytest

from ls_widget import sandbox
from ls_widget.errors import ConfigurationError
from ls_widget.models import MODEL_INPUTS

SMALL = dict(items=40, customers=20, sales=120, employees=3, categories=4, registers=2)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)
# What an analyst's sign-in often has: inventory, sales, customers and shops, but no admin scope to read employees.
NO_EMPLOYEES = ["employee:inventory_read", "employee:register_read", "employee:customers_read",
                "employee:admin_shops"]


@pytest.fixture
def box():
    with sandbox.start(**SMALL, **FAST) as running:
        yield running


def signed_in(box, name, scopes):
    connection = box.connection(name=name, scopes=scopes)
    connection.complete_authorization(box.approve(connection.authorization_url()))
    return connection


def test_model_inputs_skip_what_the_scopes_cannot_read_and_say_which_columns_are_empty(box):
    conn = signed_in(box, "No staff", NO_EMPLOYEES)
    result = conn.sync(MODEL_INPUTS, progress=False)
    assert "Employee" in result.skipped and "Employee" not in result.tables
    assert {"sales", "sale_lines", "daily_sales", "stock", "items", "customers"} <= set(result.models)
    assert any("sales was built without Employee" in note and "Edit scopes" in note
               for note in result.notes), result.notes
    sales = conn.read("sales")
    assert sales["employee"].isna().all() and sales["employee_id"].notna().all()  # the ID is the sale's own
    assert sales["shop"].notna().all() and sales["register"].notna().all()


def test_customers_before_sales_then_rebuilt_when_sales_arrive(box):
    conn = signed_in(box, "Growing", ["employee:all"])
    first = conn.sync(["Customer"], progress=False)
    assert set(first.models) == {"customers"}
    customers = conn.read("customers")
    assert len(customers) == 20 and customers["sales"].isna().all()  # not known, which is not zero
    with pytest.raises(ConfigurationError, match=r"conn\.sync\(\['Sale', 'Shop'\]\)"):
        conn.read("daily_sales")
    second = conn.sync(["Sale", "Shop"], progress=False)
    assert {"sales", "customers"} <= set(second.models)
    customers = conn.read("customers").set_index("customer_id")
    counted = conn.sql("select customer_id, count(*) as n from sales where customer_id is not null "
                       "group by customer_id").set_index("customer_id")["n"]
    assert customers["sales"].notna().all()
    assert customers.loc[counted.index, "sales"].astype(int).tolist() == counted.astype(int).tolist()
    assert int(customers["sales"].sum()) == int(counted.sum()) > 0


def test_models_false_builds_nothing_and_the_next_sync_catches_up(box):
    conn = signed_in(box, "Later", ["employee:all"])
    skipped = conn.sync(["Item", "PriceLevel"], progress=False, models=False)
    assert skipped.models == {}
    assert "items" not in {t["table"] for t in conn.tables()}
    caught_up = conn.sync(["Category"], progress=False)  # touches only Category: items was never built, so it is
    assert "items" in caught_up.models
    tables = {t["table"]: t for t in conn.tables()}
    assert tables["items"]["kind"] == "model" and tables["items"]["rows"] == 40 and tables["items"]["updated"]
    assert tables["Item"]["kind"] == "raw" and tables["Item"]["rows"] == 40 and tables["Item"]["updated"]


def test_a_table_the_analyst_made_is_listed_with_its_rows_whatever_its_name(box):
    conn = signed_in(box, "Own tables", ["employee:all"])
    conn.sync(["Category"], progress=False)
    conn.sql('create table "my ""best"" picks" as select 1 as x union all select 2', write=True)
    tables = {t["table"]: t for t in conn.tables()}
    assert tables['my "best" picks']["rows"] == 2 and tables['my "best" picks']["kind"] == "raw"


def test_a_zone_python_knows_but_the_database_does_not_counts_in_utc_instead_of_failing_every_model(box):
    # "posix/Europe/Paris" is a file of the system's tz database, so zoneinfo opens it; DuckDB's ICU and PostgreSQL
    # know no such name, and a model asking for it would fail whole. What the database knows is what counts.
    from .conftest import rewrite
    rewrite(box, "Shop", {"1": {"timeZone": "posix/Europe/Paris"}})
    conn = signed_in(box, "Odd zone", ["employee:all"])
    result = conn.sync(["Sale", "Shop"], progress=False)
    assert "sales" in result.models and "daily_sales" in result.models, result.notes
    assert any("posix/Europe/Paris" in note for note in result.notes), result.notes
    sales = conn.read("sales")
    sales = sales[sales["shop_id"].astype(str) == "1"]
    utc_dates = pd.to_datetime(sales["completed_at"], utc=True).dt.strftime("%Y-%m-%d")
    assert len(sales) and (pd.to_datetime(sales["local_date"]).dt.strftime("%Y-%m-%d") == utc_dates).all()
