"""The v3 access token's signature: RS256 JWTs and the JWKS that verifies them (docs/lightspeed-api.md section 1.7).

Each sandbox makes a fresh 2048-bit RSA key when it starts, under the ``kid`` Lightspeed's documentation shows. The
public half is served at ``/.well-known/jwks``; a client can verify tokens exactly as it would against Lightspeed.
The sandbox itself never needs to verify a signature: it accepts exactly the tokens it issued (tokens.py).
"""

from __future__ import annotations

from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "RT_OAUTH2_2024_07_08"
ALGORITHM = "RS256"


class Signer:
    def __init__(self, kid: str = KID) -> None:
        self.kid = kid
        self._key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}, private=True)

    def sign(self, claims: dict) -> str:
        return jwt.encode({"typ": "JWT", "alg": ALGORITHM, "kid": self.kid}, claims, self._key)

    def jwks(self) -> dict:
        return {"keys": [self._key.as_dict(private=False)]}
