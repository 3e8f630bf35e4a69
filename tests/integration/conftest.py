"""The package against the sandbox over real HTTP on 127.0.0.1: the flow, the session, pacing, refresh."""

from __future__ import annotations

import pytest

from ls_widget import sandbox

SMALL = dict(items=230, customers=61, sales=412, employees=8, categories=20)
FAST = dict(bucket_size=1e6, drip_rate=1e6, burst_limit=10**6)


@pytest.fixture
def box():
    """A small sandbox with limits too large to matter; the environment points ls_widget at it."""
    with sandbox.start(**SMALL, **FAST) as running:
        yield running


def connect(box, **kwargs):
    """A connection that went through consent, as an analyst clicking 'Authorize application' would."""
    conn = box.connection(**kwargs)
    conn.complete_authorization(box.approve(conn.authorization_url()))
    return conn
