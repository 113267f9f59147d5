"""Bearer JWTs verified locally with PyJWT: HS256 with a shared secret, or RS256/ES256 with a
public key or a JWKS file. `exp` is required and checked with a small leeway; `iss` and `aud`
when configured; `exp`, `nbf` and `iat` must be JSON numbers (RFC 7519's NumericDate). Claims:
`sub` (a UUID), `role`, and for teachers optional `courses`.

Whatever is wrong with a token, its key set or its algorithm, the answer is Unauthorized: an
error the verification library did not expect (a key of one kind named by a token of another
raises a TypeError in PyJWT) is logged once, with its type, and refused like any bad token."""

import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from jwt.algorithms import get_default_algorithms

from entrypoints.auth.principal import Principal, Role

log = logging.getLogger(__name__)

_ASYMMETRIC = ("RS256", "ES256")
_TIME_CLAIMS = ("exp", "nbf", "iat")
_COURSE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Unauthorized(Exception):
    """No usable credentials: answered 401 with WWW-Authenticate."""


class Forbidden(Exception):
    """Valid credentials without the right: answered 403."""


@dataclass(frozen=True)
class _Keys:
    secret: str | None
    public_keys: dict[str | None, Any]  # by `kid`; None for a single configured key
    algorithms: tuple[str, ...]


class TokenVerifier:
    def __init__(
        self,
        *,
        secret: str | None = None,
        public_key: str | None = None,
        jwks_file: Path | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        leeway: float = 0.0,  # seconds of clock skew allowed (the service passes its setting)
    ) -> None:
        self._keys = _load_keys(secret, public_key, jwks_file)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    @property
    def configured(self) -> bool:
        return bool(self._keys.algorithms)

    def verify(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization: Bearer …` header; raises Unauthorized."""
        if not authorization:
            raise Unauthorized("a bearer token is required")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("use the Bearer scheme")
        try:
            header = jwt.get_unverified_header(token.strip())
            algorithm = header.get("alg")
            if algorithm not in self._keys.algorithms:
                raise Unauthorized("invalid token")
            key = self._key_for(algorithm, header.get("kid"))
            claims = jwt.decode(
                token.strip(),
                key,
                algorithms=[algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": ["exp", "sub", "role"], "verify_aud": bool(self._audience)},
            )
        except (jwt.PyJWTError, Unauthorized):
            raise Unauthorized("invalid token") from None
        except Exception as e:  # noqa: BLE001 - any failure to verify is a refusal, never a 500
            log.warning("token refused: verification failed with %s: %s", type(e).__name__, e)
            raise Unauthorized("invalid token") from None
        return _principal(claims)

    def _key_for(self, algorithm: str, kid: object) -> Any:
        if algorithm == "HS256":
            return self._keys.secret
        keys = self._keys.public_keys
        if None in keys and len(keys) == 1:
            return keys[None]
        if isinstance(kid, str) and kid in keys:
            return keys[kid]
        raise Unauthorized("invalid token")


def _principal(claims: dict[str, Any]) -> Principal:
    if any(
        name in claims and (isinstance(claims[name], bool) or
                            not isinstance(claims[name], int | float))
        for name in _TIME_CLAIMS
    ):
        raise Unauthorized("invalid token")  # PyJWT itself takes "4102444800" for a time
    try:
        subject = uuid.UUID(str(claims["sub"]))
        role = Role(claims["role"])
    except (ValueError, KeyError):
        raise Unauthorized("invalid token") from None
    courses = claims.get("courses", [])
    if not isinstance(courses, list) or not all(
        isinstance(c, str) and _COURSE_ID.fullmatch(c) for c in courses
    ):
        raise Unauthorized("invalid token")
    return Principal(subject=subject, role=role, courses=frozenset(courses))


def _load_keys(secret: str | None, public_key: str | None, jwks_file: Path | None) -> _Keys:
    algorithms: list[str] = []
    public: dict[str | None, Any] = {}
    if secret:
        algorithms.append("HS256")
    if public_key:
        pem = public_key if "-----BEGIN" in public_key else Path(public_key).read_text()
        for name in _ASYMMETRIC:
            try:
                public[None] = get_default_algorithms()[name].prepare_key(pem)
                algorithms.append(name)
                break
            except (jwt.InvalidKeyError, ValueError, TypeError):
                continue
        else:
            raise ValueError("STATS_JWT_PUBLIC_KEY is not an RSA or EC (P-256) public key")
    if jwks_file:
        jwks = jwt.PyJWKSet.from_dict(json.loads(Path(jwks_file).read_text()))
        for jwk in jwks.keys:
            public[jwk.key_id] = jwk.key
            if jwk.algorithm_name in _ASYMMETRIC and jwk.algorithm_name not in algorithms:
                algorithms.append(jwk.algorithm_name)
    return _Keys(secret, public, tuple(algorithms))


def issue_token(
    secret: str,
    *,
    subject: uuid.UUID,
    role: Role,
    courses: Sequence[str] = (),
    ttl_seconds: int = 3600,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """An HS256 token for local use (`classconnect-stats token`)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": str(subject), "role": role.value, "iat": now,
                              "exp": now + ttl_seconds}
    if courses:
        claims["courses"] = list(courses)
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
