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
# ---- OTP (issue 13) -------------------------------------------------------------------
def otp_section():
    from descope import DeliveryMethod

    def otp_code(login_id):
        """The newest code the emulator 'sent' to login_id, from its outbox."""
        r = httpx.get(f"{BASE}/emulator/outbox", params={"loginId": login_id},
                      headers={"Authorization": f"Bearer {PID}"})
        assert r.status_code == 200, r.text
        return r.json()["messages"][-1]["code"]

    email = f"py-otp-{uuid.uuid4().hex[:8]}@example.com"
    phone = f"+1555{uuid.uuid4().int % 10_000_000:07d}"

    @step("otp sign_up(EMAIL) -> verify_code")
    def _():
        masked = client.otp.sign_up(DeliveryMethod.EMAIL, email, {"name": "Py Otp"})
        assert masked.endswith("@example.com") and "***" in masked, masked
        jwt = client.otp.verify_code(DeliveryMethod.EMAIL, email, otp_code(email))
        assert jwt["sessionToken"]["jwt"]
        state["otp_refresh"] = jwt["refreshSessionToken"]["jwt"]

    @step("otp sign_in(EMAIL) -> verify_code; the code is single use")
    def _():
        client.otp.sign_in(DeliveryMethod.EMAIL, email)
        code = otp_code(email)
        client.otp.verify_code(DeliveryMethod.EMAIL, email, code)
        try:
            client.otp.verify_code(DeliveryMethod.EMAIL, email, code)
        except AuthException as e:
            assert e.status_code == 401, e
            return
        raise AssertionError("a used code was accepted")

    @step("otp sign_up_or_in(SMS, VOICE, WHATSAPP) -> verify_code")
    def _():
        for method in (DeliveryMethod.SMS, DeliveryMethod.VOICE, DeliveryMethod.WHATSAPP):
            masked = client.otp.sign_up_or_in(method, phone)
            assert masked.endswith(phone[-4:]) and "*" in masked, masked
            jwt = client.otp.verify_code(method, phone, otp_code(phone))
            assert jwt["sessionToken"]["jwt"]

    @step("otp sign_in(SMS) with step-up")
    def _():
        from descope import LoginOptions
        client.otp.sign_in(DeliveryMethod.SMS, phone)
        jwt = client.otp.verify_code(DeliveryMethod.SMS, phone, otp_code(phone))
        client.otp.sign_in(DeliveryMethod.SMS, phone, login_options=LoginOptions(stepup=True),
                           refresh_token=jwt["refreshSessionToken"]["jwt"])
        stepped = client.otp.verify_code(DeliveryMethod.SMS, phone, otp_code(phone))
        assert stepped["sessionToken"]["jwt"]

    @step("otp update_user_email(add_to_login_ids) -> verify -> sign in with it")
    def _():
        new_email = f"py-otp-new-{uuid.uuid4().hex[:8]}@example.com"
        client.otp.update_user_email(email, new_email, state["otp_refresh"], add_to_login_ids=True)
        client.otp.verify_code(DeliveryMethod.EMAIL, email, otp_code(email))
        client.otp.sign_in(DeliveryMethod.EMAIL, new_email)
        jwt = client.otp.verify_code(DeliveryMethod.EMAIL, new_email, otp_code(new_email))
        assert jwt["sessionToken"]["jwt"]

    @step("otp update_user_phone(SMS) -> verify")
    def _():
        new_phone = f"+1666{uuid.uuid4().int % 10_000_000:07d}"
        masked = client.otp.update_user_phone(DeliveryMethod.SMS, email, new_phone,
                                              state["otp_refresh"])
        assert masked.endswith(new_phone[-4:]), masked
        jwt = client.otp.verify_code(DeliveryMethod.SMS, email, otp_code(email))
        assert jwt["user"]["phone"] == new_phone, jwt["user"]

    @step("otp wrong code is rejected")
    def _():
        client.otp.sign_in(DeliveryMethod.EMAIL, email)
        wrong = "000000" if otp_code(email) != "000000" else "111111"
        try:
            client.otp.verify_code(DeliveryMethod.EMAIL, email, wrong)
        except AuthException:
            return
        raise AssertionError("wrong code accepted")


otp_section()
# ---- end OTP ---------------------------------------------------------------------------
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
# ---- management: jwt, audit, history (COMPAT_MANAGEMENT_KEY) ------------------------------
def management_jwt_audit():
    client_m = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    )
    mgmt = client_m.mgmt
    login = f"py-jwt-{uuid.uuid4().hex[:8]}@example.com"
    agent = f"py-agent-{uuid.uuid4().hex[:8]}@example.com"
    state = {}

    @step("mgmt jwt sign_up -> sign_in -> refresh; update_jwt adds claims")
    def _():
        mgmt.jwt.sign_up(login)
        res = mgmt.jwt.sign_in(login)
        session = res["sessionToken"]["jwt"]
        refresh = res["refreshSessionToken"]["jwt"]
        state["user_id"] = mgmt.user.load(login)["user"]["userId"]
        client_m.refresh_session(refresh)
        updated = mgmt.jwt.update_jwt(session, {"plan": "gold"}, 0)
        claims = client_m.validate_session(updated)
        assert claims.get("plan") == "gold", claims

    @step("mgmt jwt impersonate: refused without the permission, act with it")
    def _():
        agent_id = mgmt.user.create(agent, role_names=["support"])["user"]["userId"]
        try:
            mgmt.jwt.impersonate(state["user_id"], login, False)
        except AuthException:
            pass
        else:
            raise AssertionError("impersonation without the permission")
        token = mgmt.jwt.impersonate(agent_id, login, False)
        claims = client_m.validate_session(token)
        assert claims["act"]["sub"] == agent_id, claims
        back = mgmt.jwt.stop_impersonation(token)
        assert client_m.validate_session(back)["sub"] == agent_id

    @step("mgmt audit search finds the sign-ins; create_event; user history")
    def _():
        found = mgmt.audit.search(user_ids=[state["user_id"]], actions=["UserRefresh"])
        assert len(found["audits"]) == 1, found
        assert found["audits"][0]["loginIds"] == [login], found
        mgmt.audit.create_event("PyCompat", "info", "U2actor", TENANT, user_id=state["user_id"])
        assert len(mgmt.audit.search(actions=["PyCompat"])["audits"]) == 1
        history = mgmt.user.history([state["user_id"]])
        assert len(history) == 2 and history[0]["userId"] == state["user_id"], history


management_jwt_audit()
# ---- end management: jwt, audit, history ---------------------------------------------------

# ---- management: tenants and SSO settings (COMPAT_MANAGEMENT_KEY) --------------------------
def management_tenants():
    from descope import AssociatedTenant, DeliveryMethod
    from descope.management.sso_settings import (
        AttributeMapping,
        RoleMapping,
        SSOOIDCSettings,
        SSOSAMLSettings,
        SSOSAMLSettingsByMetadata,
    )

    mgmt = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    ).mgmt
    tenants, sso, users = mgmt.tenant, mgmt.sso, mgmt.user
    suffix = uuid.uuid4().hex[:8]
    domain = f"py-{suffix}.example"
    made = {}

    @step("mgmt tenant create (generated id, chosen id) -> load -> load_all -> search_all")
    def _():
        made["id"] = tenants.create(
            f"Py Tenant {suffix}", self_provisioning_domains=[domain],
            custom_attributes={"tier": suffix},
        )["id"]
        assert made["id"], made
        chosen = f"T2Py{suffix}"
        assert tenants.create(f"Py Other {suffix}", id=chosen)["id"] == chosen
        made["other"] = chosen
        loaded = tenants.load(made["id"])
        assert loaded["name"] == f"Py Tenant {suffix}", loaded
        assert loaded["selfProvisioningDomains"] == [domain], loaded
        ids = [t["id"] for t in tenants.load_all()["tenants"]]
        assert made["id"] in ids and chosen in ids and TENANT in ids, ids
        found = tenants.search_all(custom_attributes={"tier": suffix})["tenants"]
        assert [t["id"] for t in found] == [made["id"]], found
        assert len(tenants.search_all(names=[f"Py Other {suffix}"])["tenants"]) == 1

    @step("mgmt tenant update, update_settings -> load_settings")
    def _():
        tenants.update(made["id"], f"Py Renamed {suffix}", self_provisioning_domains=[domain],
                       disabled=True)
        loaded = tenants.load(made["id"])
        assert loaded["name"] == f"Py Renamed {suffix}" and loaded["disabled"], loaded
        # Strings, not the SDK's enums: its update_settings cannot serialize those.
        tenants.update_settings(
            made["id"], self_provisioning_domains=[domain], domains=[domain],
            session_settings_enabled=True, session_token_expiration=10,
            session_token_expiration_unit="minutes", inactivity_time=30,
            inactivity_time_unit="minutes", enable_inactivity=True,
        )
        settings = tenants.load_settings(made["id"])
        assert settings["domains"] == [domain], settings
        assert settings["sessionTokenExpiration"] == 10, settings
        assert settings["inactivityTime"] == 30, settings

    @step("mgmt tenant given to a user shows in the session token")
    def _():
        login = f"py-member-{suffix}@{domain}"
        users.create(login, email=login,
                     user_tenants=[AssociatedTenant(made["id"], ["tenant-member"])])
        client.otp.sign_in(DeliveryMethod.EMAIL, login)
        code = httpx.get(f"{BASE}/emulator/outbox", params={"loginId": login},
                         headers={"Authorization": f"Bearer {PID}"}).json()["messages"][-1]["code"]
        jwt = client.otp.verify_code(DeliveryMethod.EMAIL, login, code)
        assert made["id"] in jwt["sessionToken"]["tenants"], jwt["sessionToken"]
        made["member"] = login

    @step("mgmt sso configure_saml_settings -> load_settings; SSO start by the domain")
    def _():
        sso.configure_saml_settings(
            made["id"],
            SSOSAMLSettings(idp_url="https://idp.example.com/sso",
                            idp_entity_id="https://idp.example.com/entity", idp_cert="cert",
                            role_mappings=[RoleMapping(["admins"], "admin")],
                            default_sso_roles=["viewer"]),
            redirect_url=REDIRECT, domains=[domain],
        )
        loaded = sso.load_settings(made["id"])
        assert loaded["saml"]["idpSSOUrl"] == "https://idp.example.com/sso", loaded
        assert loaded["saml"]["groupsMapping"][0]["role"]["name"] == "admin", loaded
        assert loaded["tenant"]["id"] == made["id"], loaded
        url = client.saml.start(tenant=f"someone@{domain}", return_url=REDIRECT)["url"]
        jwt = client.saml.exchange_token(code_from(url))
        tenant_claims = jwt["sessionToken"]["tenants"][made["id"]]
        assert tenant_claims["roles"] == ["viewer"], jwt["sessionToken"]

    @step("mgmt sso oidc, saml by metadata, mapping, deprecated get_settings, delete")
    def _():
        sso.configure_oidc_settings(
            made["id"], SSOOIDCSettings(name="py-oidc", client_id="cid", client_secret="secret",
                                        auth_url="https://idp.example.com/auth"))
        loaded = sso.load_settings(made["id"])
        assert loaded["oidc"]["clientId"] == "cid" and "saml" not in loaded, loaded
        assert not loaded["oidc"].get("clientSecret"), loaded
        sso.configure_saml_settings_by_metadata(
            made["id"], SSOSAMLSettingsByMetadata(idp_metadata_url="https://idp.example.com/md"))
        sso.mapping(made["id"], [RoleMapping(["ops"], "viewer")], AttributeMapping(name="n"))
        old = sso.get_settings(made["id"])
        assert old["idpMetadataUrl"] == "https://idp.example.com/md", old
        assert old["groupsMapping"][0]["groups"] == ["ops"], old
        sso.delete_settings(made["id"])
        loaded = sso.load_settings(made["id"])
        assert "saml" not in loaded and "oidc" not in loaded, loaded

    @step("mgmt tenant delete (cascade takes its only-members) -> load fails")
    def _():
        tenants.delete(made["other"])
        tenants.delete(made["id"], cascade=True)
        for gone in (lambda: tenants.load(made["id"]), lambda: users.load(made["member"])):
            try:
                gone()
            except AuthException:
                continue
            raise AssertionError("still loads after the cascade delete")


management_tenants()
# ---- end management: tenants and SSO settings ------------------------------------------------


# ---- management: invitations and test users (COMPAT_MANAGEMENT_KEY) ----------------------
def management_test_users():
    from descope import DeliveryMethod, LoginOptions, UserObj

    mgmt = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    ).mgmt.user

    def outbox(login_id):
        r = httpx.get(f"{BASE}/emulator/outbox", params={"loginId": login_id},
                      headers={"Authorization": f"Bearer {PID}"})
        assert r.status_code == 200, r.text
        return r.json()["messages"]

    def token_of(link):
        return parse_qs(urlparse(link).query)["t"][0]

    tag = uuid.uuid4().hex[:8]

    @step("mgmt invite -> the outbox's invite link signs in")
    def _():
        login = f"py-invite-{tag}@example.com"
        user = mgmt.invite(login, email=login, invite_url="http://127.0.0.1:9/invite")["user"]
        invite = [m for m in outbox(login) if m["kind"] == "invite"][-1]
        assert invite["link"].startswith("http://127.0.0.1:9/invite"), invite
        jwt = client.magiclink.verify(token_of(invite["link"]))
        assert jwt["user"]["userId"] == user["userId"], jwt

    @step("mgmt invite_batch -> createdUsers, failedUsers")
    def _():
        taken = f"py-batch-{tag}@example.com"
        answer = mgmt.invite_batch(
            [UserObj(taken, email=taken), UserObj(taken, email=taken)],
            invite_url="http://127.0.0.1:9/invite", send_mail=True,
        )
        assert len(answer["createdUsers"]) == 1, answer
        assert len(answer["failedUsers"]) == 1 and answer["failedUsers"][0]["failure"], answer

    test_login = f"py-test-{tag}@example.com"
    claims = LoginOptions(custom_claims={"k": "v"})

    @step("mgmt generate_otp_for_test_user -> otp.verify_code")
    def _():
        mgmt.create_test_user(test_login, email=test_login)
        answer = mgmt.generate_otp_for_test_user(DeliveryMethod.EMAIL, test_login, claims)
        assert outbox(test_login)[-1]["code"] == answer["code"], answer
        jwt = client.otp.verify_code(DeliveryMethod.EMAIL, test_login, answer["code"])
        assert jwt["sessionToken"]["k"] == "v", jwt["sessionToken"]

    @step("mgmt generate_magic_link_for_test_user -> magiclink.verify")
    def _():
        answer = mgmt.generate_magic_link_for_test_user(
            DeliveryMethod.EMAIL, test_login, "http://127.0.0.1:9/verify", claims)
        assert outbox(test_login)[-1]["link"] == answer["link"], answer
        jwt = client.magiclink.verify(token_of(answer["link"]))
        assert jwt["sessionToken"]["k"] == "v", jwt["sessionToken"]

    @step("mgmt generate_enchanted_link_for_test_user -> verify -> get_session")
    def _():
        answer = mgmt.generate_enchanted_link_for_test_user(
            test_login, "http://127.0.0.1:9/verify", claims)
        client.enchantedlink.verify(token_of(answer["link"]))
        jwt = client.enchantedlink.get_session(answer["pendingRef"])
        assert jwt["sessionToken"]["k"] == "v", jwt["sessionToken"]

    @step("mgmt generators refuse a user that is not a test user")
    def _():
        login = f"py-real-{tag}@example.com"
        mgmt.create(login, email=login)
        try:
            mgmt.generate_otp_for_test_user(DeliveryMethod.EMAIL, login)
        except AuthException as e:
            assert e.status_code == 400, e
            return
        raise AssertionError("a code for a non-test user")

    @step("mgmt generate_embedded_link -> magiclink.verify with the claims")
    def _():
        token = mgmt.generate_embedded_link(test_login, {"k": "emb"}, 60)
        jwt = client.magiclink.verify(token)
        assert jwt["sessionToken"]["k"] == "emb", jwt["sessionToken"]
        mgmt.delete_all_test_users()


management_test_users()
# ---- end management: invitations and test users -------------------------------------------
# ---- management: user operations (login id, addresses, passwords, credentials, logout) --
def management_user_ops():
    mgmt = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    ).mgmt.user
    login = f"py-ops-{uuid.uuid4().hex[:8]}@example.com"
    new_login = f"py-ops-new-{uuid.uuid4().hex[:8]}@example.com"

    @step("mgmt set_active_password -> password.sign_in; expire -> refused")
    def _():
        state["ops_user"] = mgmt.create(login, email=login)["user"]["userId"]
        mgmt.set_active_password(login, "Act!Passw0rd")
        jwt = client.password.sign_in(login, "Act!Passw0rd")
        state["ops_refresh"] = jwt["refreshSessionToken"]["jwt"]
        mgmt.expire_password(login)
        try:
            client.password.sign_in(login, "Act!Passw0rd")
        except AuthException as e:
            assert "E062909" in str(e), e
        else:
            raise AssertionError("an expired password signed in")
        mgmt.set_temporary_password(login, "Tmp!Passw0rd")
        mgmt.set_password(login, "Old!Passw0rd")
        mgmt.set_active_password(login, "Act!Passw0rd")

    @step("mgmt logout_user -> refresh rejected")
    def _():
        client.refresh_session(state["ops_refresh"])
        mgmt.logout_user(login)
        try:
            client.refresh_session(state["ops_refresh"])
        except AuthException:
            pass
        else:
            raise AssertionError("a logged-out refresh token still refreshes")
        mgmt.logout_user_by_user_id(state["ops_user"])

    @step("mgmt update login id, email, phone, names, picture, custom attribute")
    def _():
        user = mgmt.update_login_id(login, new_login)["user"]
        assert user["loginIds"] == [new_login], user
        client.password.sign_in(new_login, "Act!Passw0rd")
        user = mgmt.update_email(new_login, "py-ops-mail@example.com", True, True)["user"]
        assert user["email"] == "py-ops-mail@example.com" and user["verifiedEmail"], user
        user = mgmt.update_phone(new_login, "+15555550135", False, False)["user"]
        assert user["phone"] == "+15555550135", user
        user = mgmt.update_display_name(new_login, "Display", "Given", "Middle", "Family")["user"]
        assert user["name"] == "Display" and user["middleName"] == "Middle", user
        user = mgmt.update_picture(new_login, "https://example.com/p.png")["user"]
        assert user["picture"] == "https://example.com/p.png", user
        user = mgmt.update_custom_attribute(new_login, "tier", "bronze")["user"]
        assert user["customAttributes"]["tier"] == "bronze", user

    @step("mgmt remove passkeys and TOTP seed, load_users, delete_by_user_id")
    def _():
        mgmt.remove_all_passkeys(new_login)
        mgmt.remove_totp_seed(new_login)
        loaded = mgmt.load_users([state["ops_user"]])
        assert [u["userId"] for u in loaded["users"]] == [state["ops_user"]], loaded
        mgmt.delete_by_user_id(state["ops_user"])
        try:
            mgmt.load(new_login)
        except AuthException:
            return
        raise AssertionError("a user deleted by id still loads")


management_user_ops()
# ---- end management: user operations ------------------------------------------------------


passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

# ---- management: roles, permissions, access keys ------------------------------------------
def management_roles_and_access_keys():
    from descope import AssociatedTenant

    mgmt = DescopeClient(
        project_id=PID, base_url=BASE, management_key=os.environ["COMPAT_MANAGEMENT_KEY"]
    ).mgmt
    suffix = uuid.uuid4().hex[:8]
    perm, role, login = f"py-perm-{suffix}", f"py-role-{suffix}", f"py-roles-{suffix}@example.com"

    def sign_in_claims():
        """Signs the user in by email OTP (the code from the emulator's outbox)."""
        from descope import DeliveryMethod

        client.otp.sign_in(DeliveryMethod.EMAIL, login)
        r = httpx.get(f"{BASE}/emulator/outbox", params={"loginId": login},
                      headers={"Authorization": f"Bearer {PID}"})
        assert r.status_code == 200, r.text
        code = r.json()["messages"][-1]["code"]
        return client.otp.verify_code(DeliveryMethod.EMAIL, login, code)["sessionToken"]

    @step("mgmt permission + role create -> load_all -> search")
    def _():
        mgmt.permission.create(perm, "Compat permission")
        names = [p["name"] for p in mgmt.permission.load_all()["permissions"]]
        assert perm in names, names
        mgmt.role.create(role, description="Compat", permission_names=[perm, "read"])
        mgmt.role.create(role, permission_names=[perm], tenant_id=TENANT, private=True)
        roles = mgmt.role.load_all()["roles"]
        assert any(r["name"] == role and r["permissionNames"] == [perm, "read"] for r in roles), roles
        found = mgmt.role.search(tenant_ids=[TENANT], role_name_like=suffix)["roles"]
        assert len(found) == 1 and found[0]["tenantId"] == TENANT, found

    @step("mgmt role given to a user shows in its token; updates reach the next token")
    def _():
        mgmt.user.create(login, email=login, role_names=[role],
                         user_tenants=[AssociatedTenant(TENANT, [role])])
        claims = sign_in_claims()
        assert claims["roles"] == [role], claims
        assert claims["permissions"] == sorted([perm, "read"]), claims
        assert claims["tenants"][TENANT]["permissions"] == [perm], claims
        mgmt.role.update(role, role, permission_names=["read"])
        mgmt.permission.update(perm, perm + "-2", "renamed")
        claims = sign_in_claims()
        assert claims["permissions"] == ["read"], claims
        assert claims["tenants"][TENANT]["permissions"] == [perm + "-2"], claims
        mgmt.permission.delete(perm + "-2")
        mgmt.role.delete(role, TENANT)
        mgmt.role.delete(role)
        assert role not in [r["name"] for r in mgmt.role.load_all()["roles"]]
        mgmt.user.delete(login)

    @step("mgmt access key create -> exchange -> load/search -> update")
    def _():
        created = mgmt.access_key.create(
            f"py-key-{suffix}", role_names=["viewer"],
            key_tenants=[AssociatedTenant(TENANT, ["tenant-member"])],
            custom_claims={"team": "compat"}, description="compat",
        )
        state["py_key"] = created["key"]["id"]
        state["py_key_secret"] = created["cleartext"]
        claims = client.exchange_access_key(created["cleartext"])
        assert claims["roles"] == ["viewer"], claims
        assert claims["sessionToken"]["team"] == "compat", claims
        loaded = mgmt.access_key.load(state["py_key"])["key"]
        assert loaded["status"] == "active" and "cleartext" not in loaded, loaded
        found = mgmt.access_key.search_all_access_keys(tenant_ids=[TENANT])["keys"]
        assert state["py_key"] in [k["id"] for k in found], found
        # Python's update returns nothing: load it back.
        mgmt.access_key.update(state["py_key"], f"py-key-{suffix}-2", description="v2")
        updated = mgmt.access_key.load(state["py_key"])["key"]
        assert (updated["name"], updated["description"]) == (f"py-key-{suffix}-2", "v2"), updated

    @step("mgmt access key deactivate -> exchange refused; activate; delete -> refused")
    def _():
        def refused():
            try:
                client.exchange_access_key(state["py_key_secret"])
            except AuthException:
                return True
            return False

        mgmt.access_key.deactivate(state["py_key"])
        assert refused(), "a deactivated key was exchanged"
        mgmt.access_key.activate(state["py_key"])
        assert not refused(), "an activated key was refused"
        mgmt.access_key.delete(state["py_key"])
        assert refused(), "a deleted key was exchanged"


management_roles_and_access_keys()
# ---- end management: roles, permissions, access keys --------------------------------------

