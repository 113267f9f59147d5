"""Token verification: what passes, and every way a token must fail."""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from entrypoints.auth import Principal, Role, TokenVerifier, Unauthorized, issue_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256!"
USER = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"sub": str(USER), "role": "teacher", "courses": ["algebra"],
                            "exp": int(time.time()) + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_a_valid_hs256_token_gives_its_principal() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    assert TokenVerifier(secret=SECRET).verify(bearer(token)) == Principal(
        USER, Role.TEACHER, frozenset({"algebra"})
    )


def test_issued_tokens_verify() -> None:
    token = issue_token(SECRET, subject=USER, role=Role.SERVICE, audience="stats", issuer="cc")
    verifier = TokenVerifier(secret=SECRET, audience="stats", issuer="cc")
    assert verifier.verify(bearer(token)).role is Role.SERVICE


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("bad signature", jwt.encode(claims(), SECRET + "x", algorithm="HS256")),
        ("alg none", jwt.encode(claims(role="admin"), None, algorithm="none")),
        ("expired", jwt.encode(claims(exp=int(time.time()) - 120), SECRET, algorithm="HS256")),
        ("no exp", jwt.encode(claims(exp=None), SECRET, algorithm="HS256")),
        ("no sub", jwt.encode(claims(sub=None), SECRET, algorithm="HS256")),
        ("no role", jwt.encode(claims(role=None), SECRET, algorithm="HS256")),
        ("unknown role", jwt.encode(claims(role="root"), SECRET, algorithm="HS256")),
        ("sub not a uuid", jwt.encode(claims(sub="alice"), SECRET, algorithm="HS256")),
        ("courses not a list", jwt.encode(claims(courses="algebra"), SECRET, algorithm="HS256")),
        ("bad course id", jwt.encode(claims(courses=["a b"]), SECRET, algorithm="HS256")),
        ("garbage", "not-a-jwt"),
    ],
)
def test_bad_tokens_are_unauthorized(name: str, token: str) -> None:
    with pytest.raises(Unauthorized):
        TokenVerifier(secret=SECRET).verify(bearer(token))


def test_expiry_has_a_small_leeway() -> None:
    token = jwt.encode(claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256")
    assert TokenVerifier(secret=SECRET, leeway=30).verify(bearer(token)).subject == USER
    with pytest.raises(Unauthorized):
        TokenVerifier(secret=SECRET, leeway=0).verify(bearer(token))


def test_audience_and_issuer_are_checked_when_configured() -> None:
    verifier = TokenVerifier(secret=SECRET, audience="classconnect-stats", issuer="classconnect")
    good = jwt.encode(claims(aud="classconnect-stats", iss="classconnect"), SECRET, "HS256")
    assert verifier.verify(bearer(good)).subject == USER
    for wrong in (
        claims(aud="another-service", iss="classconnect"),
        claims(iss="classconnect"),
        claims(aud="classconnect-stats", iss="someone-else"),
    ):
        with pytest.raises(Unauthorized):
            verifier.verify(bearer(jwt.encode(wrong, SECRET, algorithm="HS256")))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer  ", "Basic abc", "Token x"])
def test_missing_or_non_bearer_credentials(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        TokenVerifier(secret=SECRET).verify(header)


def _pem(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_public_key_tokens(algorithm: str) -> None:
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if algorithm == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    verifier = TokenVerifier(public_key=_pem(key))
    assert verifier.verify(bearer(jwt.encode(claims(), key, algorithm=algorithm))).subject == USER
    # an HS256 token signed with the public key as a secret (algorithm confusion) is refused
    confused = jwt.encode(claims(), "x" * 64, algorithm="HS256")
    with pytest.raises(Unauthorized):
        verifier.verify(bearer(confused))


def test_jwks_file_selects_the_key_by_kid(tmp_path: Path) -> None:
    first, second = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in "ab")
    jwks = {"keys": []}
    for kid, key in (("one", first), ("two", second)):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwks["keys"].append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    verifier = TokenVerifier(jwks_file=path)
    token = jwt.encode(claims(), second, algorithm="RS256", headers={"kid": "two"})
    assert verifier.verify(bearer(token)).subject == USER
    wrong_kid = jwt.encode(claims(), second, algorithm="RS256", headers={"kid": "one"})
    with pytest.raises(Unauthorized):
        verifier.verify(bearer(wrong_kid))


def test_rules_by_role() -> None:
    other = uuid.uuid4()
    student = Principal(USER, Role.STUDENT)
    teacher = Principal(USER, Role.TEACHER, frozenset({"algebra"}))
    assert student.may_read_student(USER) and not student.may_read_student(other)
    assert not student.may_read_course("algebra") and not student.may_write
    assert teacher.may_read_course("algebra") and not teacher.may_read_course("physics")
    assert teacher.may_read_student(other, "algebra")
    assert not teacher.may_read_student(other, "physics") and not teacher.may_read_student(other)
    for role in (Role.ADMIN, Role.SERVICE):
        p = Principal(USER, role)
        assert p.may_write and p.may_read_course("x") and p.may_read_student(other)
    assert not student.sees_peer_ids and teacher.sees_peer_ids


def _mixed_jwks(tmp_path: Path) -> tuple[Path, Any, Any]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    keys = [
        {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key())),
         "kid": "rsa", "alg": "RS256", "use": "sig"},
        {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key())),
         "kid": "ec", "alg": "ES256", "use": "sig"},
    ]
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    return path, rsa_key, ec_key


def test_a_token_whose_algorithm_does_not_fit_its_key_is_unauthorized(tmp_path: Path) -> None:
    path, rsa_key, ec_key = _mixed_jwks(tmp_path)
    verifier = TokenVerifier(jwks_file=path)
    assert verifier.verify(bearer(jwt.encode(claims(), ec_key, "ES256", {"kid": "ec"})))
    # signed right, but naming the other kind of key: PyJWT would raise a TypeError
    for token in (
        jwt.encode(claims(), ec_key, "ES256", {"kid": "rsa"}),
        jwt.encode(claims(), rsa_key, "RS256", {"kid": "ec"}),
    ):
        with pytest.raises(Unauthorized):
            verifier.verify(bearer(token))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["4102444800", "0", True, [4102444800], {"t": 1}])
def test_time_claims_must_be_numbers(claim: str, value: Any) -> None:
    token = jwt.encode({**claims(), claim: value}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized):
        TokenVerifier(secret=SECRET).verify(bearer(token))


def test_numeric_time_claims_pass() -> None:
    now = int(time.time())
    token = jwt.encode(claims(iat=now, nbf=now - 1.5, exp=now + 60.25), SECRET, "HS256")
    assert TokenVerifier(secret=SECRET).verify(bearer(token)).subject == USER
