"""The sandbox's shared state: everything a request may touch.

One ``SandboxState`` holds the clients, codes, tokens, buckets, faults, the clock, and the accounts a day of changes
forked; a single lock serialises requests and the in-process methods of ``Sandbox`` that change it from other
threads.
"""

from __future__ import annotations

import threading

from .clock import Clock
from .codes import CodeStore
from .config import SandboxOptions
from .data import AccountData, account_data, account_ids
from .edits import Ledger
from .faults import Faults
from .ratelimit import RateLimiter
from .registry import ClientRegistry
from .signing import Signer
from .tokens import TokenService


class SandboxState:
    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.lock = threading.RLock()
        self.clock = Clock()
        self.base_url = ""  # known once the socket is bound
        self.registry = ClientRegistry(options.data.seed, options.demo_redirect_uri)
        self.codes = CodeStore(self.clock, options.code_lifetime, options.v2_code_lifetime)
        self.signer = Signer()
        self.tokens = TokenService(self.clock, options, self.signer, lambda: self.base_url)
        self.limiter = RateLimiter(self.clock, options.bucket_size, options.drip_rate, options.burst_limit)
        self.faults = Faults()
        self.account_ids = account_ids(options.data)
        self.ledger = Ledger()  # edits.py: this sandbox's own copies of the accounts it changed

    def account(self, account_id: str) -> AccountData | None:
        if account_id not in self.account_ids:
            return None
        changed = self.ledger.accounts.get(account_id)
        return changed or account_data(self.options.data, self.account_ids.index(account_id))

    def accounts(self) -> list[AccountData]:
        return [self.account(account_id) for account_id in self.account_ids]
