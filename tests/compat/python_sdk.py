"""Descope's official Python SDK, unchanged, against descope-emulator.

Usage: DESCOPE_BASE_URL=http://127.0.0.1:PORT DESCOPE_PROJECT_ID=P... \
       COMPAT_TENANT=<tenant id> COMPAT_SSO_EMAIL=<email in a tenant SSO domain> \
       COMPAT_MANAGEMENT_KEY=<the emulator's management key> python3 python_sdk.py
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


# ---- management: users (COMPAT_MANAGEMENT_KEY, the emulator's banner key) ----------------
def management_users():
    from descope import AssociatedTenant

    mgmt = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    ).mgmt.user
    login = f"py-mgmt-{uuid.uuid4().hex[:8]}@example.com"

    @step("mgmt user create -> load -> search_all")
    def _():
        created = mgmt.create(
            login, email=login, display_name="Py Mgmt", given_name="Py", role_names=["viewer"],
            user_tenants=[AssociatedTenant(TENANT, ["tenant-member"])],
            custom_attributes={"team": "compat"},
        )
        assert created["user"]["loginIds"] == [login], created
        loaded = mgmt.load(login)["user"]
        assert loaded["roleNames"] == ["viewer"], loaded
        assert loaded["userTenants"][0]["tenantId"] == TENANT, loaded
        assert mgmt.load_by_user_id(loaded["userId"])["user"]["loginIds"] == [login]
        found = mgmt.search_all(emails=[login])
        assert found["total"] == 1 and found["users"][0]["email"] == login, found

    @step("mgmt user patch keeps what it does not name; update replaces")
    def _():
        patched = mgmt.patch(login, display_name="Patched")["user"]
        assert patched["name"] == "Patched" and patched["givenName"] == "Py", patched
        assert patched["roleNames"] == ["viewer"], patched
        updated = mgmt.update(login, email=login, role_names=["admin"])["user"]
        assert updated["roleNames"] == ["admin"] and updated["userTenants"] == [], updated
        assert updated["givenName"] == "", updated

    @step("mgmt user roles, tenants, deactivate/activate")
    def _():
        mgmt.add_tenant(login, TENANT)
        mgmt.set_tenant_roles(login, TENANT, ["tenant-admin"])
        user = mgmt.add_roles(login, ["viewer"])["user"]
        assert user["roleNames"] == ["admin", "viewer"], user
        user = mgmt.remove_roles(login, ["viewer"])["user"]
        assert user["userTenants"][0]["roleNames"] == ["tenant-admin"], user
        assert mgmt.deactivate(login)["user"]["status"] == "disabled"
        assert mgmt.activate(login)["user"]["status"] == "enabled"

    @step("mgmt test users: create, search, delete all")
    def _():
        mgmt.create_test_user(f"py-test-{uuid.uuid4().hex[:8]}@example.com")
        assert mgmt.search_all_test_users()["total"] >= 1
        mgmt.delete_all_test_users()
        assert mgmt.search_all_test_users()["total"] == 0

    @step("mgmt user delete -> load fails")
    def _():
        mgmt.delete(login)
        try:
            mgmt.load(login)
        except AuthException:
            return
        raise AssertionError("a deleted user still loads")


management_users()
# ---- end management: users ----------------------------------------------------------------


passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
