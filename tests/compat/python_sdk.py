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


passed = sum(results)
failed = len(results) - passed
print(f"python-sdk: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
