"""Pacing maths with a fake clock: waits just long enough for the leaky bucket and the burst limiter."""

from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ls_widget.ratelimit import BucketReport, Pacer, parse_retry_after


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds


def pacer():
    clock = FakeClock()
    return Pacer(clock=clock, sleep=clock.sleep), clock


def headers(level, size=90, drip=1, burst="1/20", cost=1):
    return {"X-LS-Api-Bucket-Level": f"{level}/{size}", "X-LS-Api-Drip-Rate": str(drip),
            "X-LS-API-Burst-Level": burst, "X-LS-Api-Request-Cost": str(cost)}


def test_headers_parse_as_floats_whatever_their_case():
    report = BucketReport.from_headers({"x-ls-api-bucket-level": "92.57/90", "X-LS-API-DRIP-RATE": "1.5",
                                        "x-ls-api-burst-level": "18/20", "X-LS-Api-Request-Cost": "0.2"})
    assert (report.level, report.size, report.drip_rate, report.cost) == (92.57, 90.0, 1.5, 0.2)
    assert (report.burst_used, report.burst_max) == (18.0, 20.0)


def test_unreadable_headers_are_ignored():
    report = BucketReport.from_headers({"X-LS-Api-Bucket-Level": "lots", "X-LS-Api-Drip-Rate": "nan"})
    assert report == BucketReport()


def test_no_wait_before_anything_is_known():
    p, _ = pacer()
    assert p.delay() == 0


def test_no_wait_while_the_bucket_is_below_its_size():
    p, _ = pacer()
    p.observe(headers(level=89.5))
    assert p.delay() == 0


def test_waits_until_the_level_drains_below_the_size():
    p, clock = pacer()
    p.observe(headers(level=95, drip=2))
    assert p.delay() == pytest.approx((95 - 90 + 0.01) / 2)
    clock.now += 1.0
    assert p.delay() == pytest.approx((93 - 90 + 0.01) / 2)
    clock.now += 2.0
    assert p.delay() == 0


def test_fractional_drip_rate():
    p, _ = pacer()
    p.observe(headers(level=91.5, size=100, drip=1.5))
    assert p.delay() == 0
    p.observe(headers(level=101.5, size=100, drip=1.5))
    assert p.delay() == pytest.approx(1.51 / 1.5)


def test_retry_after_blocks_after_a_429():
    p, clock = pacer()
    p.observe({**headers(level=50), "Retry-After": "3"}, status=429)
    assert p.delay() == pytest.approx(3)
    clock.now += 3
    assert p.delay() == 0


def test_429_without_retry_after_backs_off_a_second():
    p, _ = pacer()
    p.observe({}, status=429)
    assert p.delay() == pytest.approx(1.0)


def test_burst_limit_holds_in_every_rolling_second():
    p, clock = pacer()
    p.observe(headers(level=1, burst="1/4"))
    sent = []
    for _ in range(12):
        p.wait()
        sent.append(clock.now)
    for i in range(len(sent) - 4):
        assert sent[i + 4] - sent[i] >= 1.0  # never 5 sends within one second


def test_steady_state_reaches_the_drip_rate():
    """Simulating the server: the serial client settles at exactly cost/drip seconds per request."""
    p, clock = pacer()
    size, drip, cost, level, last = 10.0, 12.5, 1.0, 0.0, clock.now
    times = []
    for _ in range(200):
        p.wait()
        level = max(0.0, level - drip * (clock.now - last))
        last = clock.now
        assert level < size, "the server would refuse this request"
        level += cost
        times.append(clock.now)
        clock.now += 0.002  # round trip
        p.observe(headers(level=round(level, 2), size=size, drip=drip, burst="1/100", cost=cost))
    elapsed = times[-1] - times[0]
    bound = (len(times) - 1 - size / cost) * cost / drip
    assert elapsed <= bound * 1.01 + 0.05


@given(st.integers(min_value=0, max_value=86400))
def test_retry_after_seconds(seconds):
    assert parse_retry_after(str(seconds)) == seconds


def test_retry_after_http_date():
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 < parse_retry_after(format_datetime(when, usegmt=True)) <= 31


@pytest.mark.parametrize("value", [None, "", "soon", "Thu, 99 Foo"])
def test_retry_after_unreadable(value):
    assert parse_retry_after(value) is None
