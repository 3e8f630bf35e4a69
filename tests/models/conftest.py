"""Model tests: one sandbox and one sync of ``MODEL_INPUTS`` per destination (DuckDB, PostgreSQL), shared by the
module's tests, and the traps the models must handle planted in the sandbox's data before that sync.

The expected figures come from tests/models/truth.py (the sandbox's records, Python arithmetic), never from SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

pytest.importorskip("dlt", reason="the sync extra (dlt) is part of the test install")

from ls_widget import sandbox  # noqa: E402
from ls_widget.connection import Connection  # noqa: E402
from ls_widget.models import MODEL_INPUTS  # noqa: E402
from ls_widget.sandbox.changes import TableEdit  # noqa: E402
from ls_widget.sandbox.records import iso  # noqa: E402
from ls_widget.store import HOME_ENV  # noqa: E402

from .truth import Truth, is_counted  # noqa: E402

# Six shops, each with one register (only a shop with a register sells): New York, Los Angeles, Chicago, London,
# then two shops whose zone the models cannot use (set in plant_traps): an unknown name and an empty one, which
# docs/models.md counts in UTC.
DATA = dict(items=80, customers=40, sales=600, employees=4, categories=6, shops=6, registers=6)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)
DESTINATIONS = ("duckdb", "postgres")
UNKNOWN_ZONE = "America/Nowhere"

# Sales the generator cannot give: it rings sales up between 09:00 and 21:00 local time, and 1.5 % within ten minutes
# of local midnight (ls_widget/sandbox/sales.py), while daylight saving time changes at 02:00 local (US) or 01:00 UTC
# (EU): no generated sale is within an hour of a transition. So the completion of a few counted sales is moved, before
# the first sync, to instants around the transitions of the data's year (Nov 2025 - Oct 2026), as a merchant's
# late-night sale would be recorded: (shop, UTC instant, the wall clock the shop's zone gives it).
DST_SALES = (
    # New York falls back at 06:00 UTC on 2025-11-02 (02:00 EDT -> 01:00 EST): 01:30 happens twice.
    ("1", "2025-11-02T04:30:00", "2025-11-02T00:30:00"),  # EDT; a fixed EST offset would say 23:30 the day before
    ("1", "2025-11-02T05:30:00", "2025-11-02T01:30:00"),  # 01:30 EDT, the first one
    ("1", "2025-11-02T06:30:00", "2025-11-02T01:30:00"),  # 01:30 EST, an hour later
    # New York springs forward at 07:00 UTC on 2026-03-08 (02:00 EST -> 03:00 EDT).
    ("1", "2026-03-08T04:30:00", "2026-03-07T23:30:00"),  # EST; a fixed EDT offset would say 00:30 the next day
    ("1", "2026-03-08T06:45:00", "2026-03-08T01:45:00"),  # EST, just before
    ("1", "2026-03-08T07:15:00", "2026-03-08T03:15:00"),  # EDT, just after
    # London springs forward at 01:00 UTC on 2026-03-29 and falls back at 01:00 UTC on 2026-10-25.
    ("4", "2026-03-29T00:30:00", "2026-03-29T00:30:00"),  # GMT
    ("4", "2026-03-29T01:30:00", "2026-03-29T02:30:00"),  # BST
    ("4", "2026-10-24T23:30:00", "2026-10-25T00:30:00"),  # BST: the next day in London, still the 24th in UTC
    ("4", "2026-10-25T00:30:00", "2026-10-25T01:30:00"),  # 01:30 BST
    ("4", "2026-10-25T01:30:00", "2026-10-25T01:30:00"),  # 01:30 GMT, an hour later
)


@dataclass
class Traps:
    dst: dict  # saleID -> (UTC instant, expected wall clock)
    archived_sale: str
    one_price_item: str
    custom_sku_item: str


@dataclass
class World:
    box: object
    conn: Connection
    destination: str | None
    name: str
    traps: Traps
    first_sync: object

    def read(self, model: str):
        return self.conn.read(model, destination=self.destination)

    def truth(self) -> Truth:
        return Truth.read(self.box)

    def sync(self, resources=MODEL_INPUTS, **options):
        return self.conn.sync(list(resources), destination=self.destination, progress=False, **options)


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for every model test (started only if a PostgreSQL test runs). The sync tests start
    their own, module-scoped in tests/sync/test_sync_destinations.py (no shared fixture to reuse)."""
    from tests.sync.postgres_server import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def models_home(tmp_path_factory):
    return tmp_path_factory.mktemp("models_home")


@pytest.fixture(autouse=True)
def ls_home(models_home, monkeypatch):
    """Replaces tests/conftest.py's: the module's connections and DuckDB files outlive one test, in one store, and
    the sandbox's hosts (set by the module's sandbox) must stay set."""
    monkeypatch.setenv(HOME_ENV, str(models_home))
    return models_home


def signed_in(box, name: str) -> Connection:
    """A connection signed in to the sandbox, reopened as a plain ``Connection``: the panel's own connection would
    also re-read the local tables on a thread after each sync, racing the test's reads."""
    panel = box.connection(name=name, scopes=["employee:all"])
    panel.complete_authorization(box.approve(panel.authorization_url()))
    return Connection.load(name)


@pytest.fixture(scope="module", params=DESTINATIONS)
def world(request, models_home):
    kind = request.param
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV, str(models_home))
        destination = None
        if kind == "postgres":
            patch.setenv("DESTINATION__POSTGRES__CREDENTIALS", request.getfixturevalue("postgres").url)
            destination = "postgres"
        with sandbox.start(**DATA, **FAST) as box:
            traps = plant_traps(box)
            name = f"Models {kind} {request.module.__name__.rpartition('.')[2]}"
            conn = signed_in(box, name)
            first = conn.sync(MODEL_INPUTS, destination=destination, progress=False)
            yield World(box, conn, destination, name, traps, first)


# -- planting the traps ---------------------------------------------------------------------------------------------
def rewrite(box, table: str, changes: dict) -> None:
    """Replace fields of some records of the sandbox's account, as changes.py does (the account forked for this
    sandbox, new record dicts, the table's caches dropped): ``{record ID: {field: value}}``."""
    state = box.state
    with state.lock:
        account_id = box.account_id
        if account_id not in state.ledger.accounts:
            state.ledger.accounts[account_id] = state.account(account_id).fork()
        data = state.ledger.accounts[account_id]
        edit = TableEdit(data.table(table), state.ledger, account_id)
        for record_id, fields in changes.items():
            edit.replace({**edit.current(record_id), **fields})
        edit.commit()
        if table == "Item":
            data.reindex("Item")


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def plant_traps(box) -> Traps:
    data = box.state.account(box.account_id)
    sales = data.table("Sale").records
    counted = [s for s in sales if is_counted(s) and not s["calcTotal"].startswith("-")]
    taken: set = set()
    moves, dst = {}, {}
    for shop_id, instant, wall in DST_SALES:
        # the shop's counted sale completed nearest that instant (deterministic), moved to it
        target = epoch(instant)
        sale = min((s for s in counted if s["shopID"] == shop_id and s["saleID"] not in taken),
                   key=lambda s: (abs(epoch(s["completeTime"][:19]) - target), int(s["saleID"])))
        taken.add(sale["saleID"])
        moves[sale["saleID"]] = {"completeTime": iso(target), "createTime": iso(target - 300),
                                 "timeStamp": iso(target + 3), "updatetime": iso(target + 3)}
        dst[sale["saleID"]] = (datetime.fromisoformat(instant).replace(tzinfo=timezone.utc),
                               datetime.fromisoformat(wall))
    # an archived sale (the generator archives none): completed, not voided, yet not counted
    archived = next(s for s in counted if s["shopID"] == "2" and s["saleID"] not in taken)
    moves[archived["saleID"]] = {"archived": "true"}
    rewrite(box, "Sale", moves)
    rewrite(box, "Shop", {"5": {"timeZone": UNKNOWN_ZONE}, "6": {"timeZone": ""}})
    # One item priced at the Default level only: Lightspeed writes a single ItemPrice as an object, not a list.
    # Archived, so a day of changes (changes.py reads ItemPrice as a list) never edits or sells it. Another item has a
    # custom SKU.
    items = data.table("Item").records
    one, custom = items[4], items[7]
    default = next(p for p in one["Prices"]["ItemPrice"] if p["useTypeID"] == "1")
    rewrite(box, "Item", {one["itemID"]: {"Prices": {"ItemPrice": dict(default)}, "archived": "true"},
                          custom["itemID"]: {"customSku": f"CUSTOM-{custom['itemID']}"}})
    return Traps(dst, archived["saleID"], one["itemID"], custom["itemID"])


# -- comparing ------------------------------------------------------------------------------------------------------
def is_null(value) -> bool:
    import pandas

    try:
        return bool(pandas.isna(value))
    except (TypeError, ValueError):  # a list or an array: a value
        return False


def _pd():
    import pandas

    return pandas


def same(expected, got) -> bool:
    """Equal, exactly for Decimals read back as Decimals; a float (DuckDB's and psycopg's DECIMAL in a DataFrame)
    within 1e-6, the float conversion's error only."""
    if expected is None:
        return is_null(got)
    if is_null(got):
        return False
    if isinstance(expected, bool):
        return bool(got) == expected
    if isinstance(expected, Decimal):
        if isinstance(got, Decimal):
            return got == expected
        return abs(float(got) - float(expected)) <= 1e-6
    if isinstance(expected, int):
        return float(got) == expected
    pd = _pd()
    if isinstance(expected, datetime):
        stamp = pd.Timestamp(got)
        if expected.tzinfo is None:
            return stamp.tzinfo is None and stamp.to_pydatetime() == expected
        return stamp.tzinfo is not None and stamp.to_pydatetime() == expected
    if isinstance(expected, date):
        return pd.Timestamp(got).date() == expected and pd.Timestamp(got) == pd.Timestamp(got).normalize()
    return str(got) == str(expected)


class Mismatches:
    """Collects (model, key, column, expected, got) and fails once with the first of them listed."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.found: list = []

    def check(self, key, expected: dict, got: dict) -> None:
        for column, value in expected.items():
            if column not in got:
                self.found.append((key, column, value, "<no such column>"))
            elif not same(value, got[column]):
                self.found.append((key, column, value, got[column]))

    def note(self, key, what: str, expected, got) -> None:
        self.found.append((key, what, expected, got))

    def verify(self) -> None:
        if self.found:
            shown = "\n".join(f"  {key}: {column}: expected {exp!r}, got {got!r}"
                              for key, column, exp, got in self.found[:25])
            raise AssertionError(f"{self.model}: {len(self.found)} mismatch(es)\n{shown}")


def rows_by(frame, *keys) -> dict:
    """The frame's rows by ``keys`` (a time read as its date: ``local_date``), each key once."""
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(_key(row[k]) for k in keys)
        assert key not in out, f"two rows for {keys} = {key}"
        out[key if len(keys) > 1 else key[0]] = row
    return out


def _key(value):
    pd = _pd()
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return pd.Timestamp(value).date()
    return None if is_null(value) else str(value)
