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


# ---- magic link and password (issue 13) -------------------------------------------------
def magic_link_and_password():
    from descope import DeliveryMethod

    uri = "http://127.0.0.1:9/verify"

    def outbox_token(login_id, kind):
        r = httpx.get(f"{BASE}/emulator/outbox", params={"loginId": login_id},
                      headers={"Authorization": f"Bearer {PID}"})
        assert r.status_code == 200, r.text
        message = r.json()["messages"][-1]
        assert message["kind"] == kind, message
        assert message["link"].endswith("t=" + message["token"]), message
        return message["token"]

    login_id = f"py-ml-{uuid.uuid4().hex[:8]}@example.com"

    @step("magiclink sign_up_or_in -> outbox -> verify (single use)")
    def _():
        masked = client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login_id, uri)
        assert masked.endswith("@example.com"), masked
        token = outbox_token(login_id, "magiclink")
        jwt = client.magiclink.verify(token)
        state["ml_refresh"] = jwt["refreshSessionToken"]["jwt"]
        try:
            client.magiclink.verify(token)
        except AuthException:
            return
        raise AssertionError("a used magic link verified twice")

    @step("magiclink sign_in -> verify")
    def _():
        client.magiclink.sign_in(DeliveryMethod.EMAIL, login_id, uri)
        jwt = client.magiclink.verify(outbox_token(login_id, "magiclink"))
        assert jwt["sessionToken"]["jwt"]

    @step("magiclink update_user_email -> verify sets it")
    def _():
        new_email = "new-" + login_id
        client.magiclink.update_user_email(login_id, new_email, state["ml_refresh"],
                                           add_to_login_ids=True)
        jwt = client.magiclink.verify(outbox_token(login_id, "magiclink"))
        assert jwt["user"]["email"] == new_email, jwt["user"]

    @step("magiclink update_user_phone (bare path)")
    def _():
        client.magiclink.update_user_phone(DeliveryMethod.SMS, login_id, "+15555550177",
                                           state["ml_refresh"])
        jwt = client.magiclink.verify(outbox_token(login_id, "magiclink"))
        assert jwt["user"]["phone"] == "+15555550177", jwt["user"]

    pwd_login = f"py-pwd-{uuid.uuid4().hex[:8]}@example.com"

    @step("password get_policy, sign_up, sign_in, wrong password rejected")
    def _():
        policy = client.password.get_policy()
        assert policy["minLength"] >= 1, policy
        client.password.sign_up(pwd_login, "Secr3t!Pass", {"name": "Py Pwd"})
        jwt = client.password.sign_in(pwd_login, "Secr3t!Pass")
        assert jwt["sessionToken"]["jwt"]
        try:
            client.password.sign_in(pwd_login, "Wr0ng!Pass")
        except AuthException:
            return
        raise AssertionError("a wrong password signed in")

    @step("password replace -> send_reset -> magiclink verify -> update")
    def _():
        client.password.replace(pwd_login, "Secr3t!Pass", "N3w!Secr3tPass")
        client.password.send_reset(pwd_login, uri)
        jwt = client.magiclink.verify(outbox_token(pwd_login, "password-reset"))
        client.password.update(pwd_login, "An0ther!Pass", jwt["refreshSessionToken"]["jwt"])
        client.password.sign_in(pwd_login, "An0ther!Pass")


magic_link_and_password()
# ---- end magic link and password ---------------------------------------------------------


passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
