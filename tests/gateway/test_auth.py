"""gateway/auth.py: bearer token -> Caller, or a 401 in PostgREST's shape.

No database. The JWKS cases use a key set served by a tiny HTTP server on
127.0.0.1 (no outside network).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.errors import ApiError
from gateway.identity.auth import ANONYMOUS, AuthConfig, Authenticator, Caller

SECRET = "test-secret-" + "0123456789abcdef" * 4  # 76 bytes: long enough for HS512 too
SCHOOL = str(uuid.uuid4())
OTHER_SCHOOL = str(uuid.uuid4())


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "teacher",
        "school_id": SCHOOL,
        "iat": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(payload: dict[str, Any], secret: str = SECRET, headers: dict[str, Any] | None = None) -> str:
    return jwt.encode(payload, secret, algorithm="HS256", headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed_hs256(payload: dict[str, Any], key: bytes) -> str:
    """HMAC-signed by hand: PyJWT refuses to use a PEM public key as an HMAC
    secret, an attacker's script does not."""
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def refused(auth: Authenticator, token: str, code: str, message: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await auth.authenticate(f"Bearer {token}")
    error = caught.value
    assert (error.status, error.code, error.message) == (401, code, message)
    assert error.headers["WWW-Authenticate"] == f'Bearer error="invalid_token", error_description="{message}"'
    assert token not in json.dumps(error.body()), "the token is never echoed"
    return error


@pytest.fixture(scope="module")
def hs_auth() -> Authenticator:
    return Authenticator(AuthConfig(jwt_secret=SECRET))


# --- the happy paths ------------------------------------------------------------------------------


async def test_no_header_is_anon(hs_auth: Authenticator) -> None:
    caller = await hs_auth.authenticate(None)
    assert caller == Caller(role="anon", claims={"role": "anon"}) == ANONYMOUS


async def test_valid_hs256_token_gives_its_role_and_claims(hs_auth: Authenticator) -> None:
    payload = claims()
    caller = await hs_auth.authenticate(f"Bearer {hs256(payload)}")
    assert caller.role == "teacher"
    assert caller.claims == payload


async def test_scheme_is_case_insensitive(hs_auth: Authenticator) -> None:
    caller = await hs_auth.authenticate(f"bearer {hs256(claims(role='parent'))}")
    assert caller.role == "parent"


async def test_anon_token_needs_no_school(hs_auth: Authenticator) -> None:
    caller = await hs_auth.authenticate(f"Bearer {hs256(claims(role='anon', school_id=None))}")
    assert caller.role == "anon"


async def test_leeway_accepts_a_token_expired_seconds_ago(hs_auth: Authenticator) -> None:
    caller = await hs_auth.authenticate(f"Bearer {hs256(claims(exp=int(time.time()) - 10))}")
    assert caller.role == "teacher"


# --- time claims --------------------------------------------------------------------------------


async def test_expired_token_is_refused(hs_auth: Authenticator) -> None:
    await refused(hs_auth, hs256(claims(exp=int(time.time()) - 120)), "PGRST303", "JWT expired")


async def test_token_without_exp_is_refused(hs_auth: Authenticator) -> None:
    token = hs256({"role": "teacher", "school_id": SCHOOL})
    await refused(hs_auth, token, "PGRST303", "The JWT 'exp' claim is required")


async def test_not_yet_valid_token_is_refused(hs_auth: Authenticator) -> None:
    await refused(hs_auth, hs256(claims(nbf=int(time.time()) + 600)), "PGRST303", "JWT not yet valid")


async def test_token_issued_in_the_future_is_refused(hs_auth: Authenticator) -> None:
    await refused(hs_auth, hs256(claims(iat=int(time.time()) + 600)), "PGRST303", "JWT not yet valid")


# --- signature and algorithm --------------------------------------------------------------------


async def test_wrong_signature_is_refused(hs_auth: Authenticator) -> None:
    token = hs256(claims(), secret="another-secret-that-is-32-bytes-long!!")
    await refused(hs_auth, token, "PGRST301", "JWT cryptographic operation failed")


async def test_tampered_payload_is_refused(hs_auth: Authenticator) -> None:
    head, _, signature = hs256(claims(role="teacher")).split(".")
    forged = f"{head}.{b64(json.dumps(claims(role='school_admin')).encode())}.{signature}"
    await refused(hs_auth, forged, "PGRST301", "JWT cryptographic operation failed")


async def test_alg_none_is_refused(hs_auth: Authenticator) -> None:
    token = jwt.encode(claims(role="school_admin"), None, algorithm="none")
    await refused(hs_auth, token, "PGRST301", "Wrong or unsupported encoding algorithm")


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
async def test_other_hmac_algorithms_are_refused(hs_auth: Authenticator, alg: str) -> None:
    token = jwt.encode(claims(), SECRET, algorithm=alg)
    await refused(hs_auth, token, "PGRST301", "Wrong or unsupported encoding algorithm")


async def test_asymmetric_token_without_jwks_is_refused(hs_auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    await refused(hs_auth, token, "PGRST301", "No suitable key or wrong key type")


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "a.b", "....", "x" * 9000])
async def test_garbage_is_refused(hs_auth: Authenticator, garbage: str) -> None:
    await refused(hs_auth, garbage, "PGRST301", "JWT couldn't be decoded")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Basic dXNlcjpwYXNz", "Authorization header must use the Bearer scheme"),
        ("Bearer", "Empty JWT is sent in Authorization header"),
        ("Bearer   ", "Empty JWT is sent in Authorization header"),
        ("", "Authorization header must use the Bearer scheme"),
    ],
)
async def test_malformed_authorization_header_is_refused(hs_auth: Authenticator, header: str, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        await hs_auth.authenticate(header)
    assert (caught.value.status, caught.value.code, caught.value.message) == (401, "PGRST301", message)


# --- claims: role and school ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["postgres", "school_owner", "authenticator", "reporting", "pg_read_all_data", "", "ANON"]
)
async def test_role_outside_the_api_roles_is_refused(hs_auth: Authenticator, role: str) -> None:
    await refused(hs_auth, hs256(claims(role=role)), "PGRST303", "The JWT 'role' claim must name an API role")


async def test_missing_role_is_refused(hs_auth: Authenticator) -> None:
    await refused(hs_auth, hs256(claims(role=None)), "PGRST303", "The JWT 'role' claim must name an API role")


async def test_non_string_role_is_refused(hs_auth: Authenticator) -> None:
    token = hs256(claims(role=["school_admin"]))
    await refused(hs_auth, token, "PGRST303", "The JWT 'role' claim must name an API role")


@pytest.mark.parametrize("school_id", [None, "", "42", "not-a-uuid", uuid.uuid4().hex, f"{{{uuid.uuid4()}}}", 7])
async def test_school_id_must_be_a_uuid(hs_auth: Authenticator, school_id: Any) -> None:
    token = hs256(claims(role="school_admin", school_id=school_id))
    await refused(hs_auth, token, "PGRST303", "The JWT 'school_id' claim must be a uuid")


async def test_anon_with_a_bad_school_id_is_refused(hs_auth: Authenticator) -> None:
    token = hs256(claims(role="anon", school_id="nope"))
    await refused(hs_auth, token, "PGRST303", "The JWT 'school_id' claim must be a uuid")


async def test_refresh_token_is_not_an_access_token(hs_auth: Authenticator) -> None:
    token = hs256(claims(typ="refresh"))
    await refused(hs_auth, token, "PGRST303", "A refresh token is not an access token")


# --- audience and issuer ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aud_auth() -> Authenticator:
    return Authenticator(AuthConfig(jwt_secret=SECRET, audience="school-data-api", issuer="https://idp.example.test"))


async def test_configured_audience_and_issuer_accept_a_matching_token(aud_auth: Authenticator) -> None:
    token = hs256(claims(aud="school-data-api", iss="https://idp.example.test"))
    assert (await aud_auth.authenticate(f"Bearer {token}")).role == "teacher"


async def test_audience_mismatch_is_refused(aud_auth: Authenticator) -> None:
    token = hs256(claims(aud="another-service", iss="https://idp.example.test"))
    await refused(aud_auth, token, "PGRST303", "JWT not in audience")


async def test_missing_audience_is_refused_when_configured(aud_auth: Authenticator) -> None:
    token = hs256(claims(iss="https://idp.example.test"))
    await refused(aud_auth, token, "PGRST303", "The JWT 'aud' claim is required")


async def test_issuer_mismatch_is_refused(aud_auth: Authenticator) -> None:
    token = hs256(claims(aud="school-data-api", iss="https://evil.example.test"))
    await refused(aud_auth, token, "PGRST303", "JWT issuer not accepted")


async def test_audience_is_refused_when_none_is_configured(hs_auth: Authenticator) -> None:
    # A token minted for another service must not work here just because we set no audience.
    await refused(hs_auth, hs256(claims(aud="another-service")), "PGRST303", "JWT not in audience")


# --- configuration ------------------------------------------------------------------------------


def test_short_secret_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        AuthConfig(jwt_secret="secret")


def test_config_from_env_reads_every_setting() -> None:
    config = AuthConfig.from_env(
        {"JWT_SECRET": SECRET, "JWT_AUDIENCE": "a", "JWT_ISSUER": "i", "JWT_LEEWAY": "5", "JWT_JWKS_URL": ""}
    )
    assert (config.jwt_secret, config.audience, config.issuer, config.leeway_seconds) == (SECRET, "a", "i", 5.0)
    assert config.jwks_url is None, "an empty variable means unset"


async def test_no_key_source_at_all_is_a_server_error() -> None:
    auth = Authenticator(AuthConfig())
    assert await auth.authenticate(None) == ANONYMOUS, "anonymous access still works"
    with pytest.raises(ApiError) as caught:
        await auth.authenticate(f"Bearer {hs256(claims())}")
    assert (caught.value.status, caught.value.code) == (500, "PGRST300")


# --- JWKS (RS256 / ES256) served from 127.0.0.1 ----------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


class JwksServer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                owner.hits += 1
                body = json.dumps(owner.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> Iterator[JwksServer]:
    rsa_jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True) | {"kid": "rsa-1", "use": "sig"}
    ec_jwk = ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True) | {"kid": "ec-1", "use": "sig"}
    server = JwksServer({"keys": [rsa_jwk, ec_jwk]})
    yield server
    server.close()


@pytest.fixture
def jwks_auth(jwks: JwksServer) -> Authenticator:
    # Both key sources at once: the confusion tests need a secret to be present.
    return Authenticator(AuthConfig(jwt_secret=SECRET, jwks_url=jwks.url))


async def test_rs256_token_from_jwks_is_accepted(jwks_auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    payload = claims(role="school_admin")
    token = jwt.encode(payload, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert await jwks_auth.authenticate(f"Bearer {token}") == Caller(role="school_admin", claims=payload)


async def test_es256_token_from_jwks_is_accepted(jwks_auth: Authenticator, ec_key: ec.EllipticCurvePrivateKey) -> None:
    token = jwt.encode(claims(role="student"), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert (await jwks_auth.authenticate(f"Bearer {token}")).role == "student"


async def test_jwks_is_fetched_once_and_cached(jwks: JwksServer, rsa_key: rsa.RSAPrivateKey) -> None:
    auth = Authenticator(AuthConfig(jwks_url=jwks.url))
    before = jwks.hits
    for _ in range(3):
        token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
        assert (await auth.authenticate(f"Bearer {token}")).role == "teacher"
    assert jwks.hits - before == 1


async def test_hs256_signed_with_the_rsa_public_key_is_refused(
    jwks_auth: Authenticator, rsa_key: rsa.RSAPrivateKey
) -> None:
    # The classic confusion: the public key (which anyone can fetch) used as an HMAC secret.
    pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    token = hand_signed_hs256(claims(role="school_admin"), pem)
    await refused(jwks_auth, token, "PGRST301", "JWT cryptographic operation failed")


async def test_hs256_token_naming_a_jwks_kid_is_still_verified_with_the_secret_only(
    jwks_auth: Authenticator, rsa_key: rsa.RSAPrivateKey
) -> None:
    pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    token = hand_signed_hs256(claims(role="school_admin"), pem)
    head = b64(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
    forged = ".".join([head, *token.split(".")[1:]])
    await refused(jwks_auth, forged, "PGRST301", "JWT cryptographic operation failed")


async def test_alg_that_does_not_match_the_key_type_is_refused(
    jwks_auth: Authenticator, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    # Header says RS256 and names the EC key: the key's type decides, so no verification runs.
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    head = b64(json.dumps({"alg": "RS256", "kid": "ec-1", "typ": "JWT"}).encode())
    forged = ".".join([head, *token.split(".")[1:]])
    await refused(jwks_auth, forged, "PGRST301", "No suitable key or wrong key type")


async def test_unknown_kid_is_refused(jwks_auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "nobody"})
    await refused(jwks_auth, token, "PGRST301", "No suitable key or wrong key type")


async def test_rs256_signed_by_another_key_is_refused(jwks_auth: Authenticator) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "rsa-1"})
    await refused(jwks_auth, token, "PGRST301", "JWT cryptographic operation failed")


async def test_jwks_tokens_follow_the_same_role_rules(jwks_auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(claims(role="postgres"), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    await refused(jwks_auth, token, "PGRST303", "The JWT 'role' claim must name an API role")


async def test_pinned_identity_provider_cannot_mint_tokens_for_another_school(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    auth = Authenticator(AuthConfig(jwks_url=jwks.url, jwks_school_id=SCHOOL))
    own = jwt.encode(claims(school_id=SCHOOL), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert (await auth.authenticate(f"Bearer {own}")).claims["school_id"] == SCHOOL
    foreign = jwt.encode(claims(school_id=OTHER_SCHOOL), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    await refused(auth, foreign, "PGRST303", "The JWT 'school_id' claim is not this identity provider's school")


async def test_unreachable_jwks_is_a_503_not_a_401(rsa_key: rsa.RSAPrivateKey) -> None:
    closed = JwksServer({"keys": []})
    closed.close()  # the port is now closed: connection refused
    auth = Authenticator(AuthConfig(jwks_url=closed.url))
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(ApiError) as caught:
        await auth.authenticate(f"Bearer {token}")
    assert (caught.value.status, caught.value.code) == (503, "SDA301")
