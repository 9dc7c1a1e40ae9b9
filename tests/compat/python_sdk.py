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



# ---- enchanted link (issue 13) ----------------------------------------------------------
def enchanted_link_steps():
    login_id = f"py-el-{uuid.uuid4().hex[:8]}@example.com"
    verify_url = "http://127.0.0.1:9/verify"

    def last_link(login):
        r = httpx.get(
            f"{BASE}/emulator/outbox",
            params={"loginId": login},
            headers={"Authorization": f"Bearer {PID}"},
        )
        r.raise_for_status()
        message = r.json()["messages"][-1]
        assert message["kind"] == "enchantedlink", message
        return message

    def get_session_loop(pending_ref, polls=25):
        """The documented loop: poll while the answer is 401, give up on anything else."""
        for _ in range(polls):
            try:
                return client.enchantedlink.get_session(pending_ref)
            except AuthException as e:
                if e.status_code != 401:
                    raise
                time.sleep(0.2)
        raise AssertionError("still pending")

    @step("enchantedlink sign_up -> pending 401 -> verify -> get_session loop")
    def _():
        started = client.enchantedlink.sign_up(login_id, verify_url, {"name": "Py EL"})
        assert len(started["linkId"]) == 2 and started["pendingRef"], started
        try:
            client.enchantedlink.get_session(started["pendingRef"])
            raise AssertionError("a session before the click")
        except AuthException as e:
            assert e.status_code == 401, e
        message = last_link(login_id)
        assert message["linkId"] == started["linkId"], message
        client.enchantedlink.verify(message["token"])
        jwt = get_session_loop(started["pendingRef"])
        assert jwt["sessionToken"]["jwt"], jwt
        state["el_refresh"] = jwt["refreshSessionToken"]["jwt"]

    @step("enchantedlink sign_in -> verify -> get_session; a collected ref is not pending")
    def _():
        started = client.enchantedlink.sign_in(login_id, verify_url)
        client.enchantedlink.verify(last_link(login_id)["token"])
        assert get_session_loop(started["pendingRef"])["sessionToken"]["jwt"]
        try:
            client.enchantedlink.get_session(started["pendingRef"])
            raise AssertionError("the session was handed out twice")
        except AuthException as e:
            assert e.status_code != 401, e

    @step("enchantedlink update_user_email -> verify sets the email")
    def _():
        started = client.enchantedlink.update_user_email(
            login_id, "py-el-moved@example.com", state["el_refresh"]
        )
        assert started["maskedEmail"], started
        client.enchantedlink.verify(last_link(login_id)["token"])
        jwt = get_session_loop(started["pendingRef"])
        assert jwt["user"]["email"] == "py-el-moved@example.com", jwt["user"]


enchanted_link_steps()

passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
