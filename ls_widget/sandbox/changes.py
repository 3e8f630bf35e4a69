"""A day of changes: records edited, added, archived and deleted "now", for demos and tests of incremental sync.

An incremental sync pulls ``timeStamp=>=,<last seen - lookback>`` sorted by ``timeStamp``, with ``archived=true``,
and merges by primary key; its ``full`` mode also drops what disappeared. To show that it works, the data must
change while the client watches: ``day_of_changes`` does, per resource (Item, Customer, Sale):

- ``edits``: a visible field changes (an item's description and price, and the stock of one of its shops, the
  summary ItemShop row following; a customer's type and e-mail; a sale gets one more unit on one line, its totals
  and payments follow, an open sale is completed and paid). The record's ``timeStamp`` moves to now (a sale's
  ``updatetime`` with it), and so does the changed SaleLine's, ItemShop's and Contact's: each record carries its own.
- ``adds``: new records with new IDs (never an ID used before, deleted ones included, as auto-increment keys). A new
  item comes with its ItemShop rows; a new sale sells live items (the ones added just before it too) on new
  SaleLines and is paid by a new SalePayment.
- ``archives``: ``archived`` becomes "true": gone from default listings, back with ``archived=true|only``
  (docs/lightspeed-api.md section 3.5). A sale is voided instead, the way a sale is taken back: it stays listed
  with ``voided`` "true".
- ``deletes``: gone for good, even with ``archived=true`` (what a ``full`` reconciliation must notice). A deleted
  sale takes its lines and payments with it, a deleted item its ItemShop rows. Lightspeed itself archives rather
  than deletes most records; the sandbox deletes on request because a client must survive it. Items and customers
  no sale refers to are deleted first.

Every change is stamped with the same second of the sandbox clock (``advance_clock`` moves it), so hundreds of
records share one ``timeStamp``: exactly what tests of inclusive ``>=`` boundaries and of cursor ties need.

The dataset is cached and shared by every sandbox of the process (data.py), so the first change forks the account
for this sandbox (``AccountData.fork``); records are never edited in place, only replaced, and each changed table
drops its query caches.
"""

from __future__ import annotations

import logging
import random

from . import sale_changes, stock
from .edits import Day, Ledger, TableEdit
from .records import (CENT, SCALE, contact_entries, customer_record, iso, item_prices, item_record, one_or_many,
                      units)
from .words import COLORS, EMAIL_DOMAINS

log = logging.getLogger("ls_widget.sandbox")

# In the order they are applied: a new sale may sell an item added a moment before.
CHANGEABLE = ("Item", "Customer", "Sale")
KINDS = ("edits", "adds", "archives", "deletes")


def parse_counts(value, resources: tuple, kind: str) -> dict:
    """A count for every resource: one number for all, or ``{"Item": 3, ...}`` (missing resources: 0)."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(resources))
        if unknown:
            raise ValueError(f"{kind} names resource(s) not being changed: {', '.join(unknown)}.")
        out = {name: _count(value.get(name, 0), kind) for name in resources}
    else:
        out = dict.fromkeys(resources, _count(value, kind))
    return out


def _count(value, kind: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValueError(f"{kind} must be a whole number (or an object of numbers per resource), not {value!r}.")
    return int(value)


def day_of_changes(state, *, edits=10, adds=5, archives=2, deletes=1, resources=CHANGEABLE, seed=None,
                   account: str | None = None) -> dict:
    """Apply a day of changes to ``account`` (default: the first) of a ``SandboxState``; returns the summary
    ``{"accountID", "timeStamp", "Item": {"edited", "added", "archived", "deleted"}, "Customer": {...},
    "Sale": {"edited", "added", "voided", "deleted"}, "SaleLine": {"edited", "added", "deleted"},
    "SalePayment": {"edited", "added", "deleted"}}`` (lists of IDs,
    ascending; a resource not changed is absent). Takes the state's (re-entrant) lock, so requests never see half a
    day."""
    if isinstance(resources, str):
        resources = tuple(part.strip() for part in resources.split(",") if part.strip())
    unknown = [name for name in resources if name not in CHANGEABLE]
    if unknown or not resources:
        raise ValueError(f"resources must be some of {', '.join(CHANGEABLE)}; got {list(resources)!r}.")
    resources = tuple(name for name in CHANGEABLE if name in resources)
    counts = {kind: parse_counts(value, resources, kind)
              for kind, value in zip(KINDS, (edits, adds, archives, deletes))}
    with state.lock:
        account_id = account or state.account_ids[0]
        if account_id not in state.account_ids:
            raise ValueError(f"Unknown account {account_id!r}; the sandbox has {', '.join(state.account_ids)}.")
        ledger: Ledger = state.ledger
        if account_id not in ledger.accounts:
            ledger.accounts[account_id] = state.account(account_id).fork()
        data = ledger.accounts[account_id]
        ledger.days += 1
        seed = f"{state.options.data.seed}:{ledger.days}" if seed is None else seed
        now = int(state.clock.time())
        summary = {"accountID": account_id, "timeStamp": iso(now)}
        for name in resources:
            rng = random.Random(f"changes:{seed}:{account_id}:{name}")
            day = Day(data, ledger, account_id, now, {kind: counts[kind][name] for kind in KINDS}, rng)
            _warn_if_future(day, name)
            summary.update(CHANGERS[name](day))
        return summary


def _warn_if_future(day: Day, name: str) -> None:
    latest = max((r["timeStamp"] for r in day.data.table(name).records), default="")
    if latest > day.stamp:  # same format everywhere, so text order is time order
        log.warning("ls_widget sandbox: %s records are stamped as late as %s, after the sandbox's now (%s): a sync "
                    "by timeStamp will not see the day of changes as the newest. Use an earlier end_date.",
                    name, latest, day.stamp)


def _sorted(ids) -> list:
    return sorted(ids, key=int)


# -- items -----------------------------------------------------------------------------------------------------------
def change_items(day: Day) -> dict:
    edit, shops_edit, items = day.edit("Item"), day.edit("ItemShop"), day.data.table("Item").records
    sold = {line["itemID"] for line in day.data.table("SaleLine").records}
    live = [r for r in items if r["archived"] == "false"]
    edited, archived, deleted = day.pick(items, live, sold, "itemID")
    for item_id in edited:
        item = _edited_item(day, edit.current(item_id))
        edit.replace(item)
        _restock(day, shops_edit, item)
    for item_id in archived:
        edit.replace({**edit.current(item_id), "archived": "true", "timeStamp": day.stamp})
    for item_id in deleted:
        edit.delete(item_id)
        for row in day.data.item_shops(edit.current(item_id)):
            shops_edit.delete(row["itemShopID"])
        day.data.set_children("ItemShop", item_id, None)
    categories = day.data.table("Category").records
    parents = {c["parentID"] for c in categories}
    leaves = [c for c in categories if c["categoryID"] not in parents] or [None]
    shop_ids = [s["shopID"] for s in day.data.table("Shop").records]
    for _ in range(day.counts["adds"]):
        # made and touched now (an end of now + 1 leaves item_record no other second to pick); new items are live
        record = item_record(day.rng, edit.new_id(), day.now, day.now + 1, day.rng.choice(leaves))
        record["archived"] = "false"
        edit.added.append(record)
        rows = stock.item_shop_rows(day.rng, record, shop_ids, shops_edit.high + 1, day.now + 1)
        shops_edit.high += len(rows)
        shops_edit.added.extend(rows)
        day.data.set_children("ItemShop", record["itemID"], rows)
    edit.commit()
    shops_edit.commit()
    day.data.reindex("Item")  # an ItemMatrix's Items are the items as they are now
    return {"Item": {"edited": _sorted(edited), "added": [r["itemID"] for r in edit.added],
                     "archived": _sorted(archived), "deleted": _sorted(deleted)}}


def _edited_item(day: Day, item: dict) -> dict:
    """A new colour in the description and a new price (every price level follows; MSRP never below the price)."""
    name, _, color = item["description"].rpartition(" - ")
    new_color = day.rng.choice([c for c in COLORS if c != color])
    whole = (units(item["Prices"]["ItemPrice"][0]["amount"]) + CENT) // SCALE
    price = max(1, round(whole * day.rng.choice((0.8, 0.9, 1.1, 1.25)))) * SCALE - CENT  # ends in .99
    msrp = next((units(p["amount"]) for p in item["Prices"]["ItemPrice"] if p["useType"] == "MSRP"), price)
    return {**item, "description": f"{name or item['description']} - {new_color}", "timeStamp": day.stamp,
            "Prices": {"ItemPrice": item_prices(price, msrp)}}


def _restock(day: Day, shops_edit: TableEdit, item: dict) -> None:
    """One shop's stock of ``item`` moves; the summary row (shopID 0) is summed again."""
    rows = day.data.item_shops(item)
    if len(rows) < 2:
        return
    shops = [shops_edit.current(row["itemShopID"]) for row in rows[1:]]
    k = day.rng.randrange(len(shops))
    shops[k] = stock.with_qoh(shops[k], int(shops[k]["qoh"]) + day.rng.choice((-3, -2, -1, 1, 2, 4, 6)), day.stamp)
    summary = stock.summary_row(item, shops, rows[0]["itemShopID"])
    shops_edit.replace(shops[k])
    shops_edit.replace(summary)
    day.data.set_children("ItemShop", item["itemID"], [summary, *shops])


# -- customers -------------------------------------------------------------------------------------------------------
def change_customers(day: Day) -> dict:
    edit, customers = day.edit("Customer"), day.data.table("Customer").records
    buyers = {sale["customerID"] for sale in day.data.table("Sale").records}
    live = [r for r in customers if r["archived"] == "false"]
    edited, archived, deleted = day.pick(customers, live, buyers, "customerID")
    for customer_id in edited:
        customer = edit.current(customer_id)
        edit.replace({**customer, "customerTypeID": "1" if customer["customerTypeID"] == "2" else "2",
                      "timeStamp": day.stamp})
        contact = day.data.contact("Customer", customer)
        # the Primary e-mail (else the first) moves to another domain, the others stay; a customer without an
        # e-mail ("Emails": "") leaves one now
        emails = contact_entries(contact, "Emails", "ContactEmail")
        k = next((i for i, e in enumerate(emails) if e["useType"] == "Primary"), 0)
        address = (emails[k]["address"] if emails
                   else f"{customer['firstName']}.{customer['lastName']}{customer_id}@example.com".lower())
        domain = day.rng.choice([d for d in EMAIL_DOMAINS if not address.endswith("@" + d)])
        emails[k:k + 1] = [{"address": f"{address.partition('@')[0]}@{domain}",
                            "useType": emails[k]["useType"] if emails else "Primary"}]
        day.data.set_contact("Customer", customer_id, {
            **contact, "timeStamp": day.stamp, "Emails": {"ContactEmail": one_or_many(emails)}})
    for customer_id in archived:
        edit.replace({**edit.current(customer_id), "archived": "true", "timeStamp": day.stamp})
    for customer_id in deleted:
        edit.delete(customer_id)
        day.data.set_contact("Customer", customer_id, None)
    for _ in range(day.counts["adds"]):
        record, contact = customer_record(day.rng, edit.new_id(), day.now, day.now + 1)
        record["archived"] = "false"
        edit.added.append(record)
        day.data.set_contact("Customer", record["customerID"], contact)
    edit.commit()
    return {"Customer": {"edited": _sorted(edited), "added": [r["customerID"] for r in edit.added],
                         "archived": _sorted(archived), "deleted": _sorted(deleted)}}


CHANGERS = {"Item": change_items, "Customer": change_customers, "Sale": sale_changes.change_sales}
