"""Filters and load_relations in Lightspeed's encoding (docs/lightspeed-api.md section 3.5)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from ls_widget import ConfigurationError
from ls_widget.query import encode


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"defaultCost": (">=", 5)}, "defaultCost=%3E%3D%2C5"),
        ({"amount": (">", 5)}, "amount=%3E%2C5"),
        ({"amount": ("<", 5)}, "amount=%3C%2C5"),
        ({"amount": ("<=", 5)}, "amount=%3C%3D%2C5"),
        ({"amount": ("!=", 5)}, "amount=%21%3D%2C5"),
        ({"description": ("~", "%shirt%")}, "description=~%2C%25shirt%25"),
        ({"itemID": ("IN", [1, 2, 3])}, "itemID=IN%2C%5B1%2C2%2C3%5D"),
        ({"defaultCost": ("><", (5, 10))}, "defaultCost=%3E%3C%2C5%2C10"),
        ({"itemID": 5}, "itemID=5"),
        ({"itemID": ("=", 5)}, "itemID=5"),
        ({"archived": True}, "archived=true"),
        ({"load_relations": ["SaleLines", "Customer"]}, "load_relations=%5B%22SaleLines%22%2C%22Customer%22%5D"),
        ({"load_relations": "all"}, "load_relations=all"),
        ({"Images.imageID": (">", 1)}, "Images.imageID=%3E%2C1"),
        ({"sort": "-timeStamp", "limit": 100, "after": None}, "sort=-timeStamp&limit=100"),
    ],
)
def test_encoding(params, expected):
    assert encode(params) == expected


def test_datetimes_are_utc_iso_with_offset():
    aware = datetime(2021, 10, 5, 16, 18, 46, tzinfo=timezone(timedelta(hours=2)))
    assert encode({"timeStamp": (">=", aware)}) == "timeStamp=%3E%3D%2C2021-10-05T14%3A18%3A46%2B00%3A00"
    assert encode({"timeStamp": (">", datetime(2021, 10, 5))}) == "timeStamp=%3E%2C2021-10-05T00%3A00%3A00%2B00%3A00"
    assert encode({"timeStamp": (">", date(2021, 10, 5))}) == "timeStamp=%3E%2C2021-10-05T00%3A00%3A00%2B00%3A00"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"itemID": ("IN", list(range(101)))}, "1 to 100 values"),
        ({"itemID": ("IN", [])}, "1 to 100 values"),
        ({"itemID": ("IN", "1,2")}, "needs a list"),
        ({"defaultCost": ("><", (1,))}, "exactly two bounds"),
        ({"defaultCost": ("=>", 5)}, "operator from"),
        ({"itemID": ("IN", ["a,b"])}, "cannot hold the value 'a,b'.*no way to escape"),
        ({"itemID": ("IN", [1, "2,3"])}, "commas"),
        ({"description": ("><", ("a,b", "c"))}, "commas"),
    ],
)
def test_bad_filters_are_explained(params, message):
    with pytest.raises(ConfigurationError, match=message):
        encode(params)
