"""Descope's official Python SDK, unchanged, against descope-emulator.

Usage: DESCOPE_BASE_URL=http://127.0.0.1:PORT DESCOPE_PROJECT_ID=P... \
       COMPAT_TENANT=<tenant id> COMPAT_SSO_EMAIL=<email in a tenant SSO domain> python3 python_sdk.py
Prints one line per step and a closing 'N passed, N failed' line; exits non-zero on failure.
"""
import base64
import hashlib
import hmac
import os
import struct
import sys
import time
import traceback
import uuid
from urllib.parse import parse_qs, urlparse

import httpx
from descope import AuthException, DescopeClient

BASE = os.environ["DESCOPE_BASE_URL"]
PID = os.environ["DESCOPE_PROJECT_ID"]
TENANT = os.environ["COMPAT_TENANT"]
SSO_EMAIL = os.environ["COMPAT_SSO_EMAIL"]
REDIRECT = "http://127.0.0.1:9/callback"

client = DescopeClient(project_id=PID, base_url=BASE)
results = []


def step(name):
    def wrap(fn):
        try:
            fn()
            results.append(True)
            print(f"ok   python: {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            results.append(False)
            print(f"FAIL python: {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=3)
        return fn
    return wrap


def code_from(url):
    """Follows the emulator's provider page once, as a browser would, and reads `code`."""
    r = httpx.get(url, follow_redirects=False)
    assert r.status_code == 302, f"provider page answered {r.status_code}"
    location = r.headers["location"]
    assert location.startswith(REDIRECT), location
    return parse_qs(urlparse(location).query)["code"][0]


def totp_now(key):
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(secret, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


state = {}


@step("oauth start -> provider redirect -> exchange")
def _():
    url = client.oauth.start(provider="google", return_url=REDIRECT)["url"]
    jwt = client.oauth.exchange_token(code_from(url))
    state["session"] = jwt["sessionToken"]["jwt"]
    state["refresh"] = jwt["refreshSessionToken"]["jwt"]
    assert jwt["user"]["userId"], jwt["user"]


@step("validate_session")
def _():
    claims = client.validate_session(state["session"])
    assert claims["userId"], claims


@step("refresh_session")
def _():
    jwt = client.refresh_session(state["refresh"])
    assert jwt["sessionToken"]["jwt"]


@step("validate_and_refresh_session")
def _():
    jwt = client.validate_and_refresh_session(state["session"], state["refresh"])
    assert jwt["sessionToken"]["jwt"]


@step("me")
def _():
    me = client.me(state["refresh"])
    assert me["userId"], me


@step("sso start (tenant id) -> exchange")
def _():
    url = client.sso.start(tenant=TENANT, return_url=REDIRECT)["url"]
    jwt = client.sso.exchange_token(code_from(url))
    assert jwt["sessionToken"]["jwt"]
    state["sso_refresh"] = jwt["refreshSessionToken"]["jwt"]


@step("sso start (email domain) -> exchange")
def _():
    url = client.sso.start(tenant=SSO_EMAIL, return_url=REDIRECT)["url"]
    jwt = client.sso.exchange_token(code_from(url))
    assert jwt["sessionToken"]["jwt"]


@step("saml start -> exchange")
def _():
    url = client.saml.start(tenant=TENANT, return_url=REDIRECT)["url"]
    jwt = client.saml.exchange_token(code_from(url))
    assert jwt["sessionToken"]["jwt"]


@step("totp sign_up -> sign_in_code")
def _():
    login_id = f"py-{uuid.uuid4().hex[:8]}@example.com"
    enrollment = client.totp.sign_up(login_id, {"name": "Py Compat"})
    assert enrollment["provisioningURL"].startswith("otpauth://totp/"), enrollment
    assert base64.b64decode(enrollment["image"]).startswith(b"\x89PNG")
    jwt = client.totp.sign_in_code(login_id, totp_now(enrollment["key"]))
    assert jwt["sessionToken"]["jwt"]
    state["totp_refresh"] = jwt["refreshSessionToken"]["jwt"]
    state["totp_login"] = login_id


@step("totp wrong code is rejected")
def _():
    try:
        client.totp.sign_in_code(state["totp_login"], "000000" if totp_now("A" * 32) != "000000" else "111111")
    except AuthException:
        return
    raise AssertionError("wrong code accepted")


@step("select_tenant (an SSO user, a member of the tenant)")
def _():
    jwt = client.select_tenant(TENANT, state["sso_refresh"])
    assert jwt["sessionToken"]["jwt"]


@step("logout -> refresh rejected")
def _():
    client.logout(state["refresh"])
    try:
        client.refresh_session(state["refresh"])
    except AuthException:
        return
    raise AssertionError("revoked refresh token still refreshes")


# ---- WebAuthn (passkeys) --------------------------------------------------------------
# A minimal software authenticator (ES256, "none" attestation, sign counter) built on the
# `cryptography` package the SDK already depends on: enough to finish real ceremonies.
from cryptography.hazmat.primitives import hashes as _hashes
from cryptography.hazmat.primitives.asymmetric import ec as _ec
import json as _json

PASSKEY_ORIGIN = "http://localhost:3000"


def _b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cbor(value):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | extra]) + n.to_bytes(size, "big")
        raise ValueError(n)
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(_cbor(k) + _cbor(v) for k, v in value.items())
    raise TypeError(type(value))


class SoftPasskey:
    def __init__(self):
        self.key = _ec.generate_private_key(_ec.SECP256R1())
        self.cred_id = os.urandom(16)
        self.counter = 0

    def _client_data(self, kind, options):
        return _json.dumps({"type": kind, "challenge": options["challenge"],
                            "origin": PASSKEY_ORIGIN, "crossOrigin": False}).encode()

    def create(self, options_json):
        options = _json.loads(options_json)["publicKey"]
        assert any(p["alg"] == -7 for p in options["pubKeyCredParams"]), options
        numbers = self.key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        auth_data = (rp_hash + bytes([0x45]) + self.counter.to_bytes(4, "big") + bytes(16)
                     + len(self.cred_id).to_bytes(2, "big") + self.cred_id + _cbor(cose))
        attestation = _cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return _json.dumps({"id": _b64u(self.cred_id), "rawId": _b64u(self.cred_id), "type": "public-key",
                            "response": {"clientDataJSON": _b64u(self._client_data("webauthn.create", options)),
                                         "attestationObject": _b64u(attestation)}})

    def get(self, options_json):
        options = _json.loads(options_json)["publicKey"]
        allowed = [_unb64u(c["id"]) for c in options.get("allowCredentials", [])]
        assert self.cred_id in allowed, "not an allowed credential"
        self.counter += 1
        rp_hash = hashlib.sha256(options["rpId"].encode()).digest()
        auth_data = rp_hash + bytes([0x05]) + self.counter.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", options)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), _ec.ECDSA(_hashes.SHA256()))
        return _json.dumps({"id": _b64u(self.cred_id), "rawId": _b64u(self.cred_id), "type": "public-key",
                            "response": {"clientDataJSON": _b64u(client_data), "authenticatorData": _b64u(auth_data),
                                         "signature": _b64u(signature), "userHandle": None}})


def _check_start(started, create):
    assert started["transactionId"], started
    assert started["create"] is create, started
    assert _json.loads(started["options"])["publicKey"]["challenge"], started


@step("webauthn sign_up_start -> authenticator -> sign_up_finish")
def _():
    login_id = f"py-wa-{uuid.uuid4().hex[:8]}@example.com"
    passkey = SoftPasskey()
    started = client.webauthn.sign_up_start(login_id, PASSKEY_ORIGIN, {"name": "Py Passkey"})
    _check_start(started, True)
    jwt = client.webauthn.sign_up_finish(started["transactionId"], passkey.create(started["options"]))
    assert jwt["sessionToken"]["amr"] == ["webauthn"], jwt["sessionToken"]
    state["wa_login"], state["wa_passkey"] = login_id, passkey
    state["wa_refresh"] = jwt["refreshSessionToken"]["jwt"]


@step("webauthn sign_in_start / sign_up_or_in_start -> sign_in_finish")
def _():
    for start in (client.webauthn.sign_in_start, client.webauthn.sign_up_or_in_start):
        started = start(state["wa_login"], PASSKEY_ORIGIN)
        _check_start(started, False)
        jwt = client.webauthn.sign_in_finish(started["transactionId"], state["wa_passkey"].get(started["options"]))
        assert jwt["sessionToken"]["amr"] == ["webauthn"], jwt["sessionToken"]


@step("webauthn update_start (refresh) -> update_finish adds a passkey")
def _():
    second = SoftPasskey()
    started = client.webauthn.update_start(state["wa_login"], state["wa_refresh"], PASSKEY_ORIGIN)
    _check_start(started, True)
    assert client.webauthn.update_finish(started["transactionId"], second.create(started["options"])) is None
    started = client.webauthn.sign_in_start(state["wa_login"], PASSKEY_ORIGIN)
    assert len(_json.loads(started["options"])["publicKey"]["allowCredentials"]) == 2
    client.webauthn.sign_in_finish(started["transactionId"], second.get(started["options"]))


@step("webauthn replayed assertion is rejected")
def _():
    started = client.webauthn.sign_in_start(state["wa_login"], PASSKEY_ORIGIN)
    assertion = state["wa_passkey"].get(started["options"])
    client.webauthn.sign_in_finish(started["transactionId"], assertion)
    try:
        client.webauthn.sign_in_finish(started["transactionId"], assertion)
    except AuthException:
        return
    raise AssertionError("replayed assertion accepted")
# ---- end WebAuthn ---------------------------------------------------------------------

passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
