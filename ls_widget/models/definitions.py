"""The analysts' models: what each table means, as SQL over the synced tables (one definition for every destination).

The raw tables keep Lightspeed's records as they come (every value text, "none" written as "0", times in UTC, nested
collections as JSON). The models answer the questions analysts ask of them, with the traps taken care of once:

- **Which sales count**: completed (``completed`` "true"), not voided and not archived. Open sales, quotes and voided
  sales are left out everywhere; refunds are sales like any other, with negative quantities and amounts.
- **Which day**: a sale's day is the local date of its ``completeTime`` in its shop's time zone (``Shop.timeZone``),
  daylight saving time included; a shop whose zone is missing or unknown counts in UTC (``refresh`` says so).
- **Stock** never includes the row of ``shopID`` "0": Lightspeed's account-wide total, which doubles every sum. Its
  figures are kept as ``account_*`` columns of their own.
- **Prices** are not fields of Item but ``Prices.ItemPrice``, one per price level (``useTypeID`` is the level's
  ``priceLevelID``): ``items`` has the Default level's (``priceLevelID`` 1) as ``price`` and every level as a column.
- **Money** is exact (``DECIMAL``), as Lightspeed wrote it: a line's tax at full precision (Lightspeed rounds only the
  sale's), a sale's amounts as on its receipt.

``build(model, ctx)`` is the SQL of one model; ``Context`` knows the destination (its dialect, where the tables are,
which columns they have), so a column Lightspeed never sent to this account is a NULL, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .dialect import Dialect

MONEY = "DECIMAL(18,6)"
QUANTITY = "DECIMAL(18,4)"
DEFAULT_PRICE_LEVEL = "1"  # Lightspeed's Default price level: priceLevelID 1, which cannot be archived


@dataclass
class Context:
    dialect: Dialect
    qualify: Callable[[str], str]  # a table's name as the destination wants it in SQL
    columns: dict[str, set[str]]  # raw and model tables present -> their columns
    bad_zones: set[str] = field(default_factory=set)  # Shop.timeZone values neither DuckDB nor PostgreSQL would know
    price_levels: list[tuple[str, str]] = field(default_factory=list)  # (priceLevelID, name) for the price columns

    def t(self, table: str) -> str:
        """A table in a FROM or JOIN; an optional input that is not there joins nothing (its columns are NULLs)."""
        if table not in self.columns:
            return "(SELECT 1 AS absent)"
        return self.qualify(table)

    def c(self, alias: str, table: str, column: str) -> str:
        """``alias."column"``, or a text NULL when this account's ``table`` has no such column (never sent)."""
        if column in self.columns.get(table, ()):
            return f'{alias}."{column}"'
        return "CAST(NULL AS VARCHAR)"

    def money(self, alias: str, table: str, column: str) -> str:
        return f"CAST(NULLIF({self.c(alias, table, column)}, '') AS {MONEY})"

    def quantity(self, alias: str, table: str, column: str) -> str:
        return f"CAST(NULLIF({self.c(alias, table, column)}, '') AS {QUANTITY})"

    def id(self, alias: str, table: str, column: str) -> str:
        """An ID with Lightspeed's "none" ("0", or empty) as NULL."""
        return f"NULLIF(NULLIF({self.c(alias, table, column)}, ''), '0')"

    def flag(self, alias: str, table: str, column: str) -> str:
        return f"({self.c(alias, table, column)} = 'true')"

    def instant(self, alias: str, table: str, column: str) -> str:
        return f"CAST(NULLIF({self.c(alias, table, column)}, '') AS TIMESTAMP WITH TIME ZONE)"

    def name(self, alias: str, table: str, *columns: str) -> str:
        """Text columns joined by spaces, NULL when all are empty (an employee's or customer's full name)."""
        parts = ", ' ', ".join(f"COALESCE({self.c(alias, table, c)}, '')" for c in columns)
        return f"NULLIF(TRIM(CONCAT({parts})), '')"

    def zone(self, alias: str) -> str:
        """The shop's time zone; UTC where it is missing or unknown (a wrong zone must not fail every model)."""
        column = self.c(alias, "Shop", "timeZone")
        unknown = "".join(f" OR {column} = '{z.replace(chr(39), chr(39) * 2)}'" for z in sorted(self.bad_zones))
        return f"CASE WHEN {column} IS NULL OR {column} = ''{unknown} THEN 'UTC' ELSE {column} END"


# -- the models ------------------------------------------------------------------------------------------------------
def sales(ctx: Context) -> str:
    """One row per counted sale (completed, not voided, not archived), with its shop's local time."""
    s = lambda column: ctx.c("s", "Sale", column)  # noqa: E731
    completed = ctx.instant("s", "Sale", "completeTime")
    local = f"CAST({completed} AT TIME ZONE ({ctx.zone('sh')}) AS TIMESTAMP)"
    return f"""
SELECT
  {s('saleID')} AS sale_id,
  {ctx.id('s', 'Sale', 'shopID')} AS shop_id,
  {ctx.c('sh', 'Shop', 'name')} AS shop,
  {ctx.id('s', 'Sale', 'registerID')} AS register_id,
  {ctx.c('r', 'Register', 'name')} AS register,
  {ctx.id('s', 'Sale', 'employeeID')} AS employee_id,
  {ctx.name('e', 'Employee', 'firstName', 'lastName')} AS employee,
  {ctx.id('s', 'Sale', 'customerID')} AS customer_id,
  {ctx.name('cu', 'Customer', 'firstName', 'lastName')} AS customer,
  {s('ticketNumber')} AS ticket_number,
  {completed} AS completed_at,
  {local} AS local_time,
  CAST({local} AS DATE) AS local_date,
  CAST(COALESCE(l.lines, 0) AS BIGINT) AS lines,
  COALESCE(l.units, 0) AS units,
  {ctx.money('s', 'Sale', 'calcSubtotal')} AS subtotal,
  {ctx.money('s', 'Sale', 'calcDiscount')} AS discount,
  {ctx.money('s', 'Sale', 'calcSubtotal')} - {ctx.money('s', 'Sale', 'calcDiscount')} AS net,
  COALESCE({ctx.money('s', 'Sale', 'calcTax1')}, 0) + COALESCE({ctx.money('s', 'Sale', 'calcTax2')}, 0) AS tax,
  {ctx.money('s', 'Sale', 'calcTotal')} AS total,
  {ctx.money('s', 'Sale', 'calcAvgCost')} AS cost,
  {ctx.money('s', 'Sale', 'calcFIFOCost')} AS fifo_cost,
  {ctx.money('s', 'Sale', 'calcSubtotal')} - {ctx.money('s', 'Sale', 'calcDiscount')}
    - {ctx.money('s', 'Sale', 'calcAvgCost')} AS margin,
  COALESCE({ctx.money('s', 'Sale', 'calcTips')}, 0) AS tips,
  {ctx.money('s', 'Sale', 'calcTotal')} < 0 AS is_refund
FROM {ctx.t('Sale')} s
LEFT JOIN {ctx.t('Shop')} sh ON {ctx.c('sh', 'Shop', 'shopID')} = {s('shopID')}
LEFT JOIN {ctx.t('Register')} r ON {ctx.c('r', 'Register', 'registerID')} = {s('registerID')}
LEFT JOIN {ctx.t('Employee')} e ON {ctx.c('e', 'Employee', 'employeeID')} = {s('employeeID')}
LEFT JOIN {ctx.t('Customer')} cu ON {ctx.c('cu', 'Customer', 'customerID')} = {s('customerID')}
LEFT JOIN (
  SELECT {ctx.c('x', 'SaleLine', 'saleID')} AS sale_id, COUNT(*) AS lines,
         SUM({ctx.quantity('x', 'SaleLine', 'unitQuantity')}) AS units
  FROM {ctx.t('SaleLine')} x GROUP BY {ctx.c('x', 'SaleLine', 'saleID')}
) l ON l.sale_id = {s('saleID')}
WHERE {s('completed')} = 'true' AND COALESCE({s('voided')}, 'false') <> 'true'
  AND COALESCE({s('archived')}, 'false') <> 'true' AND {completed} IS NOT NULL
"""


def sale_lines(ctx: Context) -> str:
    """One row per line of a counted sale (refund lines included, negative), with the sale's local time and the item."""
    line = lambda column: ctx.c("l", "SaleLine", column)  # noqa: E731
    quantity = ctx.quantity("l", "SaleLine", "unitQuantity")
    subtotal = ctx.money("l", "SaleLine", "calcSubtotal")
    discount = (f"(COALESCE({ctx.money('l', 'SaleLine', 'calcLineDiscount')}, 0) + "
                f"COALESCE({ctx.money('l', 'SaleLine', 'calcTransactionDiscount')}, 0))")
    cost = f"CAST({ctx.money('l', 'SaleLine', 'avgCost')} * {quantity} AS {MONEY})"
    return f"""
SELECT
  {line('saleLineID')} AS sale_line_id,
  s.sale_id, s.shop_id, s.shop, s.register_id, s.register, s.employee_id, s.employee, s.customer_id, s.customer,
  s.completed_at, s.local_time, s.local_date,
  {ctx.id('l', 'SaleLine', 'itemID')} AS item_id,
  {ctx.c('i', 'Item', 'description')} AS item,
  COALESCE(NULLIF({ctx.c('i', 'Item', 'customSku')}, ''), {ctx.c('i', 'Item', 'systemSku')}) AS sku,
  {ctx.id('i', 'Item', 'categoryID')} AS category_id,
  {ctx.c('cat', 'Category', 'name')} AS category,
  {ctx.c('cat', 'Category', 'fullPathName')} AS category_path,
  {ctx.c('m', 'Manufacturer', 'name')} AS manufacturer,
  {ctx.c('v', 'Vendor', 'name')} AS vendor,
  {quantity} AS quantity,
  {ctx.money('l', 'SaleLine', 'unitPrice')} AS unit_price,
  {subtotal} AS subtotal,
  {discount} AS discount,
  {subtotal} - {discount} AS net,
  COALESCE({ctx.money('l', 'SaleLine', 'calcTax1')}, 0) + COALESCE({ctx.money('l', 'SaleLine', 'calcTax2')}, 0) AS tax,
  {ctx.money('l', 'SaleLine', 'calcTotal')} AS total,
  {ctx.money('l', 'SaleLine', 'avgCost')} AS unit_cost,
  {cost} AS cost,
  CAST({ctx.money('l', 'SaleLine', 'fifoCost')} * {quantity} AS {MONEY}) AS fifo_cost,
  {subtotal} - {discount} - {cost} AS margin,
  {quantity} < 0 AS is_refund,
  {ctx.id('l', 'SaleLine', 'parentSaleLineID')} AS refunded_sale_line_id
FROM {ctx.t('SaleLine')} l
JOIN {ctx.t('sales')} s ON s.sale_id = {line('saleID')}
LEFT JOIN {ctx.t('Item')} i ON {ctx.c('i', 'Item', 'itemID')} = {line('itemID')}
LEFT JOIN {ctx.t('Category')} cat ON {ctx.c('cat', 'Category', 'categoryID')} = {ctx.c('i', 'Item', 'categoryID')}
LEFT JOIN {ctx.t('Manufacturer')} m
  ON {ctx.c('m', 'Manufacturer', 'manufacturerID')} = {ctx.c('i', 'Item', 'manufacturerID')}
LEFT JOIN {ctx.t('Vendor')} v ON {ctx.c('v', 'Vendor', 'vendorID')} = {ctx.c('i', 'Item', 'defaultVendorID')}
"""


def daily_sales(ctx: Context) -> str:
    """One row per shop and local date with sales: the receipts' sums, and the refund lines apart."""
    return f"""
SELECT
  s.shop_id, MAX(s.shop) AS shop, s.local_date,
  CAST(COUNT(*) AS BIGINT) AS sales,
  CAST(SUM(s.lines) AS BIGINT) AS lines,
  SUM(s.units) AS units,
  SUM(s.subtotal) AS subtotal,
  SUM(s.discount) AS discounts,
  SUM(s.net) AS net_sales,
  SUM(s.tax) AS tax,
  SUM(s.total) AS total,
  SUM(s.cost) AS cost,
  SUM(s.margin) AS margin,
  CAST(COALESCE(MAX(r.refund_lines), 0) AS BIGINT) AS refund_lines,
  COALESCE(MAX(r.refunded_units), 0) AS refunded_units,
  COALESCE(MAX(r.refunds), 0) AS refunds
FROM {ctx.t('sales')} s
LEFT JOIN (
  SELECT shop_id, local_date, COUNT(*) AS refund_lines, -SUM(quantity) AS refunded_units, SUM(net) AS refunds
  FROM {ctx.t('sale_lines')} WHERE is_refund GROUP BY shop_id, local_date
) r ON r.shop_id = s.shop_id AND r.local_date = s.local_date
GROUP BY s.shop_id, s.local_date
"""


def stock(ctx: Context) -> str:
    """One row per item and shop (never Lightspeed's account-wide row, shopID "0", which is kept as account_*)."""
    q = lambda column: ctx.quantity("st", "ItemShop", column)  # noqa: E731
    a = lambda column: ctx.quantity("acc", "ItemShop", column)  # noqa: E731
    return f"""
SELECT
  {ctx.c('st', 'ItemShop', 'itemShopID')} AS item_shop_id,
  {ctx.id('st', 'ItemShop', 'itemID')} AS item_id,
  {ctx.c('i', 'Item', 'description')} AS item,
  COALESCE(NULLIF({ctx.c('i', 'Item', 'customSku')}, ''), {ctx.c('i', 'Item', 'systemSku')}) AS sku,
  {ctx.flag('i', 'Item', 'archived')} AS archived,
  {ctx.id('st', 'ItemShop', 'shopID')} AS shop_id,
  {ctx.c('sh', 'Shop', 'name')} AS shop,
  {q('qoh')} AS quantity_on_hand,
  {q('sellable')} AS sellable,
  {q('backorder')} AS backorder,
  {q('reorderPoint')} AS reorder_point,
  {q('reorderLevel')} AS reorder_level,
  {q('qoh')} <= {q('reorderPoint')} AND {q('reorderPoint')} > 0 AS needs_reorder,
  CASE WHEN {q('qoh')} > 0 THEN CAST({ctx.money('st', 'ItemShop', 'totalValueAvgCost')} / {q('qoh')} AS {MONEY})
       ELSE {ctx.money('acc', 'ItemShop', 'averageCost')} END AS average_cost,
  {ctx.money('st', 'ItemShop', 'totalValueAvgCost')} AS stock_value,
  {ctx.money('st', 'ItemShop', 'totalValueFifo')} AS stock_value_fifo,
  {a('qoh')} AS account_quantity_on_hand,
  {a('sellable')} AS account_sellable,
  {ctx.money('acc', 'ItemShop', 'averageCost')} AS account_average_cost,
  {ctx.money('acc', 'ItemShop', 'totalValueAvgCost')} AS account_stock_value
FROM {ctx.t('ItemShop')} st
LEFT JOIN {ctx.t('Item')} i ON {ctx.c('i', 'Item', 'itemID')} = {ctx.c('st', 'ItemShop', 'itemID')}
LEFT JOIN {ctx.t('Shop')} sh ON {ctx.c('sh', 'Shop', 'shopID')} = {ctx.c('st', 'ItemShop', 'shopID')}
LEFT JOIN {ctx.t('ItemShop')} acc
  ON {ctx.c('acc', 'ItemShop', 'itemID')} = {ctx.c('st', 'ItemShop', 'itemID')}
 AND {ctx.c('acc', 'ItemShop', 'shopID')} = '0'
WHERE {ctx.c('st', 'ItemShop', 'shopID')} <> '0'
"""


def items(ctx: Context) -> str:
    """One row per item, its Default price as ``price`` and each price level's as ``price_<level>``."""
    i = lambda column: ctx.c("i", "Item", column)  # noqa: E731
    levels = "".join(f",\n         MAX(CASE WHEN level_id = '{level}' THEN amount END) AS {column}"
                     for level, column in price_columns(ctx.price_levels))
    if "Prices" in ctx.columns.get("Item", ()):
        listed = ctx.dialect.json_rows(f"({i('Prices')} -> 'ItemPrice')")
        price_rows = f"""SELECT {i('itemID')} AS item_id, e.value ->> 'useTypeID' AS level_id,
           CAST(NULLIF(e.value ->> 'amount', '') AS {MONEY}) AS amount
    FROM {ctx.t('Item')} i, LATERAL {listed} AS e(value)
    WHERE {ctx.dialect.is_object('e.value')}"""
    else:  # no item of this account has ever had a price
        price_rows = (f"SELECT CAST(NULL AS VARCHAR) AS item_id, CAST(NULL AS VARCHAR) AS level_id, "
                      f"CAST(NULL AS {MONEY}) AS amount")
    columns = "".join(f"  p.{column},\n" for _, column in price_columns(ctx.price_levels))
    return f"""
SELECT
  {i('itemID')} AS item_id,
  {i('description')} AS description,
  COALESCE(NULLIF({i('customSku')}, ''), {i('systemSku')}) AS sku,
  {i('systemSku')} AS system_sku,
  NULLIF({i('customSku')}, '') AS custom_sku,
  NULLIF({i('manufacturerSku')}, '') AS manufacturer_sku,
  NULLIF({i('upc')}, '') AS upc,
  NULLIF({i('ean')}, '') AS ean,
  {i('itemType')} AS item_type,
  {ctx.id('i', 'Item', 'categoryID')} AS category_id,
  {ctx.c('cat', 'Category', 'name')} AS category,
  {ctx.c('cat', 'Category', 'fullPathName')} AS category_path,
  {ctx.c('m', 'Manufacturer', 'name')} AS manufacturer,
  {ctx.c('v', 'Vendor', 'name')} AS vendor,
  p.price,
{columns}  {ctx.money('i', 'Item', 'defaultCost')} AS default_cost,
  {ctx.money('i', 'Item', 'avgCost')} AS average_cost,
  {ctx.flag('i', 'Item', 'archived')} AS archived,
  {ctx.instant('i', 'Item', 'createTime')} AS created_at,
  {i('timeStamp')} AS updated_at
FROM {ctx.t('Item')} i
LEFT JOIN {ctx.t('Category')} cat ON {ctx.c('cat', 'Category', 'categoryID')} = {i('categoryID')}
LEFT JOIN {ctx.t('Manufacturer')} m ON {ctx.c('m', 'Manufacturer', 'manufacturerID')} = {i('manufacturerID')}
LEFT JOIN {ctx.t('Vendor')} v ON {ctx.c('v', 'Vendor', 'vendorID')} = {i('defaultVendorID')}
LEFT JOIN (
  SELECT item_id, MAX(CASE WHEN level_id = '{DEFAULT_PRICE_LEVEL}' THEN amount END) AS price{levels}
  FROM ({price_rows}) x GROUP BY item_id
) p ON p.item_id = {i('itemID')}
"""


def customers(ctx: Context) -> str:
    """One row per customer: the primary e-mail and phone flattened, and what their counted sales add up to."""
    c = lambda column: ctx.c("c", "Customer", column)  # noqa: E731
    has_contact = "Contact" in ctx.columns.get("Customer", ())
    email = _preferred(ctx, "Emails", "ContactEmail", "address", ("Primary",)) if has_contact else "NULL"
    phone = _preferred(ctx, "Phones", "ContactPhone", "number", ("Mobile", "Home", "Work")) if has_contact else "NULL"
    # A customer who never bought: 0 sales; nobody's purchases known (sales not synced): NULL, not a false 0.
    counted = ("CAST(COALESCE(s.sales, 0) AS BIGINT) AS sales, COALESCE(s.lifetime_total, 0) AS lifetime_total"
               if "sales" in ctx.columns else "s.sales, s.lifetime_total")
    if "sales" in ctx.columns:
        purchases = f"""SELECT customer_id, MIN(completed_at) AS first_purchase, MAX(completed_at) AS last_purchase,
         COUNT(*) AS sales, SUM(total) AS lifetime_total
  FROM {ctx.t('sales')} WHERE customer_id IS NOT NULL GROUP BY customer_id"""
    else:  # sales are not synced: nobody's purchases are known
        purchases = (f"SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS "
                     f"first_purchase, CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS last_purchase, "
                     f"CAST(NULL AS BIGINT) AS sales, CAST(NULL AS {MONEY}) AS lifetime_total")
    return f"""
SELECT
  {c('customerID')} AS customer_id,
  {ctx.c('c', 'Customer', 'firstName')} AS first_name,
  {ctx.c('c', 'Customer', 'lastName')} AS last_name,
  NULLIF({c('company')}, '') AS company,
  {email} AS email,
  {phone} AS phone,
  {ctx.id('c', 'Customer', 'customerTypeID')} AS customer_type_id,
  {ctx.flag('c', 'Customer', 'archived')} AS archived,
  {ctx.instant('c', 'Customer', 'createTime')} AS created_at,
  s.first_purchase, s.last_purchase,
  {counted}
FROM {ctx.t('Customer')} c
LEFT JOIN ({purchases}) s ON s.customer_id = {c('customerID')}
"""


def _preferred(ctx: Context, group: str, kind: str, field_: str, uses: tuple[str, ...]) -> str:
    """The contact entry of the first of ``uses`` present, else the first listed (an e-mail, a phone number)."""
    listed = ctx.dialect.json_rows(f"""({ctx.c('c', 'Customer', 'Contact')} -> '{group}' -> '{kind}')""")
    rank = "CASE " + " ".join(f"WHEN e.value ->> 'useType' = '{use}' THEN {n}" for n, use in enumerate(uses)) + \
        f" ELSE {len(uses)} END"
    # The first by preference; ties (two "Primary") go to the lowest text, so the choice is the same on every run.
    return f"""(SELECT e.value ->> '{field_}' FROM {listed} AS e(value)
    WHERE {ctx.dialect.is_object('e.value')} AND NULLIF(e.value ->> '{field_}', '') IS NOT NULL
    ORDER BY {rank}, e.value ->> '{field_}' LIMIT 1)"""


def price_columns(levels: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(priceLevelID, column) for each price level: ``price_`` and its name in snake case (``price_msrp``), the ID
    added where two names would give the same column."""
    taken = {"price"}
    columns = []
    for level, name in levels:
        slug = re.sub(r"[^a-z0-9]+", "_", str(name).casefold()).strip("_") or f"level_{level}"
        column = f"price_{slug}"
        if column in taken or not re.fullmatch(r"[a-z0-9_]+", column):
            column = f"price_{slug}_{re.sub(r'[^0-9a-z]', '', str(level))}"
        taken.add(column)
        columns.append((re.sub(r"[^0-9A-Za-z_-]", "", str(level)), column))
    return columns


# The models in the order they are built (each reads only raw tables and the models before it).
BUILDERS: dict[str, Callable[[Context], str]] = {
    "sales": sales, "sale_lines": sale_lines, "daily_sales": daily_sales, "stock": stock, "items": items,
    "customers": customers,
}
