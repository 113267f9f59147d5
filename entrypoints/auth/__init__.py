"""Who is calling, and what they may see: bearer JWTs verified locally, roles, per-route rules."""

from entrypoints.auth.principal import LOCAL_ADMIN, Principal, Role
from entrypoints.auth.tokens import Forbidden, TokenVerifier, Unauthorized, issue_token

__all__ = [
    "LOCAL_ADMIN",
    "Forbidden",
    "Principal",
    "Role",
    "TokenVerifier",
    "Unauthorized",
    "issue_token",
]
