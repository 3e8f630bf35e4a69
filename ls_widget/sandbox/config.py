"""Every knob of the sandbox, with the real Lightspeed value as the default.

``start(**options)`` and ``python -m ls_widget.sandbox --option value`` both build a ``SandboxOptions``; an unknown
option is a ``TypeError`` so a typo does not silently run with the default. The defaults follow
docs/lightspeed-api.md; the comments give the section. ``None`` for a rate-limit knob means "the documented
formula" (section 4.1), computed from the account's register count.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

DEFAULT_DEMO_REDIRECT_URI = "https://localhost"  # what Lightspeed's client page suggests for testing (section 1.10)


@dataclass(frozen=True)
class DataOptions:
    """What the deterministic dataset looks like (data.py). Equal options give equal data."""

    seed: int = 1
    accounts: int = 1  # more than one: Account.json answers with a list (section 3.2)
    shops: int = 2
    registers: int = 1  # drives the default bucket size and drip rate (section 4.1)
    employees: int = 8
    categories: int = 20
    items: int = 2000
    customers: int = 500
    sales: int = 10000
    end_date: date = date(2026, 10, 31)  # sales are spread over the year before this day

    def __post_init__(self) -> None:
        for name in ("accounts", "shops", "registers", "employees"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("categories", "items", "customers", "sales"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.sales and not self.items:
            raise ValueError("sales need items to sell")
        if isinstance(self.end_date, str):
            object.__setattr__(self, "end_date", date.fromisoformat(self.end_date))


@dataclass(frozen=True)
class SandboxOptions:
    data: DataOptions = field(default_factory=DataOptions)
    # OAuth (section 1)
    code_lifetime: float = 60.0  # "The code expires after 60 seconds"
    v2_code_lifetime: float = 30.0  # the legacy server's 30 s
    access_token_lifetime: float = 3600.0  # "generally 60 minutes"
    v2_access_token_lifetime: float = 1800.0  # legacy "expires_in": 1800
    refresh_token_idle_lifetime: float = 30 * 86400.0  # "Unused refresh tokens expire after 30 days"
    refresh_attempts_per_minute: int = 5  # changelog 2026.01.15
    consent_coop: bool = False  # send Cross-Origin-Opener-Policy: same-origin on the consent page
    demo_redirect_uri: str = DEFAULT_DEMO_REDIRECT_URI
    # Rate limits (section 4); None = Lightspeed's formula from the register count
    bucket_size: float | None = None
    drip_rate: float | None = None
    burst_limit: int | None = None
    # Admin endpoints under /_sandbox/ (fault injection and client registration from another process)
    admin_endpoints: bool = True

    @classmethod
    def build(cls, **options) -> "SandboxOptions":
        """Flat keyword options (``items=50, bucket_size=1000``) split into the dataset's and the server's."""
        data_names = {f.name for f in dataclasses.fields(DataOptions)}
        own_names = {f.name for f in dataclasses.fields(cls)} - {"data"}
        unknown = sorted(set(options) - data_names - own_names)
        if unknown:
            known = ", ".join(sorted(data_names | own_names))
            raise TypeError(f"Unknown sandbox option(s): {', '.join(unknown)}. Known: {known}.")
        data = DataOptions(**{k: v for k, v in options.items() if k in data_names})
        return cls(data=data, **{k: v for k, v in options.items() if k in own_names})

    def __post_init__(self) -> None:
        for name in ("code_lifetime", "v2_code_lifetime", "access_token_lifetime", "v2_access_token_lifetime",
                     "refresh_token_idle_lifetime"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("bucket_size", "drip_rate", "burst_limit"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive")
        if self.refresh_attempts_per_minute < 1:
            raise ValueError("refresh_attempts_per_minute must be at least 1")


def option_fields() -> list[tuple[str, type, object]]:
    """(name, type, default) of every flat option, for the command line."""
    out = []
    for owner in (DataOptions, SandboxOptions):
        hints = {f.name: f for f in dataclasses.fields(owner)}
        for name, f in hints.items():
            if name == "data":
                continue
            default = f.default if f.default is not dataclasses.MISSING else None
            out.append((name, f.type, default))
    return out
