"""`classconnect-stats token`: a test token for local use, signed with STATS_JWT_SECRET."""

import argparse
import sys
import uuid

from entrypoints.auth import Role, issue_token
from entrypoints.settings import Settings


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    token = commands.add_parser("token", help="issue a test token (needs STATS_JWT_SECRET)")
    token.add_argument("--role", choices=[r.value for r in Role], required=True)
    token.add_argument("--sub", type=uuid.UUID, default=None, help="user UUID (default: random)")
    token.add_argument("--courses", default="", help="comma-separated course ids (teachers)")
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires")
    token.set_defaults(handler=_token)


def _token(settings: Settings, args: argparse.Namespace) -> None:
    if not settings.auth.jwt_secret:
        sys.exit("token signs with STATS_JWT_SECRET, which is not set")
    print(
        issue_token(
            settings.auth.jwt_secret,
            subject=args.sub or uuid.uuid4(),
            role=Role(args.role),
            courses=[c for c in args.courses.split(",") if c],
            ttl_seconds=args.ttl,
            issuer=settings.auth.jwt_issuer,
            audience=settings.auth.jwt_audience,
        )
    )
