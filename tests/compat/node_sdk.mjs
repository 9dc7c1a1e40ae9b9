// Descope's official Node SDK, unchanged, against descope-emulator.
// Usage: DESCOPE_BASE_URL=... DESCOPE_PROJECT_ID=... COMPAT_TENANT=... COMPAT_SSO_EMAIL=...
//        COMPAT_MANAGEMENT_KEY=... node node_sdk.mjs
// Prints one line per step and a closing 'N passed, N failed' line; exits non-zero on failure.
import crypto from 'node:crypto';
import DescopeClient from '@descope/node-sdk';

const BASE = process.env.DESCOPE_BASE_URL;
const PID = process.env.DESCOPE_PROJECT_ID;
const TENANT = process.env.COMPAT_TENANT;
const SSO_EMAIL = process.env.COMPAT_SSO_EMAIL;
const REDIRECT = 'http://127.0.0.1:9/callback';

const client = DescopeClient({ projectId: PID, baseUrl: BASE });
const results = [];
const state = {};

async function step(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   node: ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL node: ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

function must(resp, what) {
  if (!resp.ok) throw new Error(`${what}: ${resp.code} ${JSON.stringify(resp.error)}`);
  return resp.data;
}

async function codeFrom(url) {
  const r = await fetch(url, { redirect: 'manual' });
  if (r.status !== 302) throw new Error(`provider page answered ${r.status}`);
  const location = r.headers.get('location');
  if (!location.startsWith(REDIRECT)) throw new Error(location);
  return new URL(location).searchParams.get('code');
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0; const out = [];
  for (const c of s.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

function totpNow(key) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const d = crypto.createHmac('sha1', base32Decode(key)).update(counter).digest();
  const o = d[d.length - 1] & 0x0f;
  return String((d.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

await step('oauth start -> provider redirect -> exchange', async () => {
  const { url } = must(await client.oauth.start('google', REDIRECT), 'start');
  const jwt = must(await client.oauth.exchange(await codeFrom(url)), 'exchange');
  state.session = jwt.sessionJwt; state.refresh = jwt.refreshJwt;
  if (!state.session || !state.refresh) throw new Error('no tokens');
});

await step('validateSession (checks iss)', async () => {
  const info = await client.validateSession(state.session);
  if (!info.token.sub) throw new Error('no sub');
});

await step('refreshSession', async () => {
  const info = await client.refreshSession(state.refresh);
  if (!info.jwt) throw new Error('no jwt');
});

await step('validateAndRefreshSession', async () => {
  const info = await client.validateAndRefreshSession(state.session, state.refresh);
  if (!info.jwt) throw new Error('no jwt');
});

await step('me', async () => {
  const me = must(await client.me(state.refresh), 'me');
  if (!me.userId) throw new Error('no userId');
});

await step('sso start (tenant id, SAML path) -> exchange', async () => {
  const { url } = must(await client.sso.start(TENANT, REDIRECT), 'start');
  const jwt = must(await client.sso.exchange(await codeFrom(url)), 'exchange');
  if (!jwt.sessionJwt) throw new Error('no session');
  state.ssoRefresh = jwt.refreshJwt;
});

await step('sso start (email domain) -> exchange', async () => {
  const { url } = must(await client.sso.start(SSO_EMAIL, REDIRECT), 'start');
  must(await client.sso.exchange(await codeFrom(url)), 'exchange');
});

await step('native start -> provider -> finish', async () => {
  const start = must(await client.oauth.startNative('apple', {}, true), 'startNative');
  const r = await fetch(`${BASE}/emulator/native/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PID}` },
    body: JSON.stringify({ provider: 'apple', nonce: start.nonce }),
  });
  const { idToken } = await r.json();
  const user = JSON.stringify({ name: { firstName: 'Node', lastName: 'Compat' } });
  const jwt = must(await client.oauth.finishNative('apple', start.stateId, user, undefined, idToken), 'finishNative');
  if (!jwt.sessionJwt) throw new Error('no session');
});

await step('totp signUp -> verify', async () => {
  const loginId = `node-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const enrollment = must(await client.totp.signUp(loginId, { name: 'Node Compat' }), 'signUp');
  if (!enrollment.provisioningURL.startsWith('otpauth://totp/')) throw new Error(enrollment.provisioningURL);
  must(await client.totp.verify(loginId, totpNow(enrollment.key)), 'verify');
});

await step('selectTenant (an SSO user, a member of the tenant)', async () => {
  must(await client.selectTenant(TENANT, state.ssoRefresh), 'selectTenant');
});

await step('logout -> refresh rejected', async () => {
  must(await client.logout(state.refresh), 'logout');
  let rejected = false;
  try { await client.refreshSession(state.refresh); } catch { rejected = true; }
  if (!rejected) throw new Error('revoked refresh token still refreshes');
});

// ---- enchanted link (issue 13) -----------------------------------------------------------
async function enchantedLinkSteps() {
  const loginId = `node-el-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const verifyUrl = 'http://127.0.0.1:9/verify';
  const lastLink = async (login) => {
    const r = await fetch(`${BASE}/emulator/outbox?loginId=${encodeURIComponent(login)}`, {
      headers: { Authorization: `Bearer ${PID}` },
    });
    if (!r.ok) throw new Error(`outbox answered ${r.status}`);
    const message = (await r.json()).messages.at(-1);
    if (message.kind !== 'enchantedlink') throw new Error(JSON.stringify(message));
    return message;
  };

  await step('enchantedLink signUp -> waitForSession while the link is clicked', async () => {
    const started = must(await client.enchantedLink.signUp(loginId, verifyUrl, { name: 'Node EL' }), 'signUp');
    if (started.linkId.length !== 2 || !started.pendingRef) throw new Error(JSON.stringify(started));
    const waiting = client.enchantedLink.waitForSession(started.pendingRef, { pollingIntervalMs: 1000, timeoutMs: 20000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const message = await lastLink(loginId);
    if (message.linkId !== started.linkId) throw new Error(JSON.stringify(message));
    must(await client.enchantedLink.verify(message.token), 'verify');
    const jwt = must(await waiting, 'waitForSession');
    if (!jwt.sessionJwt) throw new Error('no session');
    state.elRefresh = jwt.refreshJwt;
  });

  await step('enchantedLink signIn -> verify -> waitForSession; update.email', async () => {
    const started = must(await client.enchantedLink.signIn(loginId, verifyUrl), 'signIn');
    must(await client.enchantedLink.verify((await lastLink(loginId)).token), 'verify');
    must(await client.enchantedLink.waitForSession(started.pendingRef, { pollingIntervalMs: 1000, timeoutMs: 20000 }), 'waitForSession');
    const update = must(
      await client.enchantedLink.update.email(loginId, 'node-el-moved@example.com', verifyUrl, state.elRefresh),
      'update.email',
    );
    must(await client.enchantedLink.verify((await lastLink(loginId)).token), 'verify update');
    const jwt = must(await client.enchantedLink.waitForSession(update.pendingRef, { pollingIntervalMs: 1000, timeoutMs: 20000 }), 'waitForSession update');
    if (jwt.user.email !== 'node-el-moved@example.com') throw new Error(JSON.stringify(jwt.user));
  });
}

await enchantedLinkSteps();
// ---- OTP (issue 13) ---------------------------------------------------------------------
async function otpSection() {
  // The newest code the emulator 'sent' to loginId, from its outbox.
  async function otpCode(loginId) {
    const r = await fetch(`${BASE}/emulator/outbox?loginId=${encodeURIComponent(loginId)}`, {
      headers: { authorization: `Bearer ${PID}` },
    });
    if (r.status !== 200) throw new Error(`outbox answered ${r.status}`);
    const { messages } = await r.json();
    return messages[messages.length - 1].code;
  }
  const email = `node-otp-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const phone = `+1555${String(crypto.randomInt(10_000_000)).padStart(7, '0')}`;

  await step('otp signUp.email -> verify.email', async () => {
    const sent = must(await client.otp.signUp.email(email, { name: 'Node Otp' }), 'signUp');
    if (!sent.maskedEmail || !sent.maskedEmail.includes('***@')) throw new Error(JSON.stringify(sent));
    const jwt = must(await client.otp.verify.email(email, await otpCode(email)), 'verify');
    if (!jwt.sessionJwt || !jwt.refreshJwt) throw new Error('no tokens');
    state.otpRefresh = jwt.refreshJwt;
  });

  await step('otp signIn.email -> verify.email; the code is single use', async () => {
    must(await client.otp.signIn.email(email), 'signIn');
    const code = await otpCode(email);
    must(await client.otp.verify.email(email, code), 'verify');
    const again = await client.otp.verify.email(email, code);
    if (again.ok) throw new Error('a used code was accepted');
    if (again.error.errorCode !== 'E061102') throw new Error(JSON.stringify(again.error));
  });

  await step('otp signUpOrIn.sms/voice/whatsapp -> verify', async () => {
    for (const m of ['sms', 'voice', 'whatsapp']) {
      const sent = must(await client.otp.signUpOrIn[m](phone), `signUpOrIn.${m}`);
      if (!sent.maskedPhone.endsWith(phone.slice(-4))) throw new Error(JSON.stringify(sent));
      must(await client.otp.verify[m](phone, await otpCode(phone)), `verify.${m}`);
    }
  });

  await step('otp signIn.sms with step-up', async () => {
    must(await client.otp.signIn.sms(phone), 'signIn');
    const jwt = must(await client.otp.verify.sms(phone, await otpCode(phone)), 'verify');
    must(await client.otp.signIn.sms(phone, { stepup: true }, jwt.refreshJwt), 'signIn stepup');
    must(await client.otp.verify.sms(phone, await otpCode(phone)), 'verify stepup');
  });

  await step('otp update.email (addToLoginIDs) -> verify -> sign in with it', async () => {
    const newEmail = `node-otp-new-${crypto.randomUUID().slice(0, 8)}@example.com`;
    must(await client.otp.update.email(email, newEmail, state.otpRefresh, { addToLoginIDs: true }), 'update.email');
    must(await client.otp.verify.email(email, await otpCode(email)), 'verify');
    must(await client.otp.signIn.email(newEmail), 'signIn new');
    must(await client.otp.verify.email(newEmail, await otpCode(newEmail)), 'verify new');
  });

  await step('otp update.phone.sms -> verify', async () => {
    const newPhone = `+1666${String(crypto.randomInt(10_000_000)).padStart(7, '0')}`;
    const sent = must(await client.otp.update.phone.sms(email, newPhone, state.otpRefresh), 'update.phone.sms');
    if (!sent.maskedPhone.endsWith(newPhone.slice(-4))) throw new Error(JSON.stringify(sent));
    const jwt = must(await client.otp.verify.sms(email, await otpCode(email)), 'verify');
    if (jwt.user.phone !== newPhone) throw new Error(JSON.stringify(jwt.user));
  });

  await step('otp wrong code is rejected', async () => {
    must(await client.otp.signIn.email(email), 'signIn');
    const wrong = (await otpCode(email)) === '000000' ? '111111' : '000000';
    const r = await client.otp.verify.email(email, wrong);
    if (r.ok) throw new Error('wrong code accepted');
  });
}

await otpSection();
// ---- end OTP -----------------------------------------------------------------------------
// ---- magic link and password (issue 13) ------------------------------------------------
async function magicLinkAndPassword() {
  const uri = 'http://127.0.0.1:9/verify';
  async function outboxToken(loginId, kind) {
    const r = await fetch(`${BASE}/emulator/outbox?loginId=${encodeURIComponent(loginId)}`, {
      headers: { authorization: `Bearer ${PID}` },
    });
    const { messages } = await r.json();
    const message = messages[messages.length - 1];
    if (message.kind !== kind) throw new Error(JSON.stringify(message));
    if (!message.link.endsWith(`t=${message.token}`)) throw new Error(message.link);
    return message.token;
  }
  const loginId = `node-ml-${crypto.randomUUID().slice(0, 8)}@example.com`;

  await step('magicLink signUpOrIn.email -> outbox -> verify (single use)', async () => {
    must(await client.magicLink.signUpOrIn.email(loginId, uri), 'signUpOrIn');
    const token = await outboxToken(loginId, 'magiclink');
    const jwt = must(await client.magicLink.verify(token), 'verify');
    state.mlRefresh = jwt.refreshJwt;
    const again = await client.magicLink.verify(token);
    if (again.ok) throw new Error('a used magic link verified twice');
  });

  await step('magicLink signIn.email -> verify', async () => {
    must(await client.magicLink.signIn.email(loginId, uri), 'signIn');
    must(await client.magicLink.verify(await outboxToken(loginId, 'magiclink')), 'verify');
  });

  await step('magicLink update.email -> verify sets it', async () => {
    const email = `new-${loginId}`;
    must(await client.magicLink.update.email(loginId, email, uri, state.mlRefresh, { addToLoginIDs: true }), 'update.email');
    const jwt = must(await client.magicLink.verify(await outboxToken(loginId, 'magiclink')), 'verify');
    if (jwt.user.email !== email) throw new Error(JSON.stringify(jwt.user));
  });

  await step('magicLink update.phone.sms -> verify sets it', async () => {
    must(await client.magicLink.update.phone.sms(loginId, '+15555550178', uri, state.mlRefresh), 'update.phone');
    const jwt = must(await client.magicLink.verify(await outboxToken(loginId, 'magiclink')), 'verify');
    if (jwt.user.phone !== '+15555550178') throw new Error(JSON.stringify(jwt.user));
  });

  const pwdLogin = `node-pwd-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await step('password policy, signUp, signIn, wrong password rejected', async () => {
    const policy = must(await client.password.policy(), 'policy');
    if (!(policy.minLength >= 1)) throw new Error(JSON.stringify(policy));
    must(await client.password.signUp(pwdLogin, 'Secr3t!Pass', { name: 'Node Pwd' }), 'signUp');
    must(await client.password.signIn(pwdLogin, 'Secr3t!Pass'), 'signIn');
    const wrong = await client.password.signIn(pwdLogin, 'Wr0ng!Pass');
    if (wrong.ok) throw new Error('a wrong password signed in');
  });

  await step('password replace -> sendReset -> magicLink verify -> update', async () => {
    must(await client.password.replace(pwdLogin, 'Secr3t!Pass', 'N3w!Secr3tPass'), 'replace');
    must(await client.password.sendReset(pwdLogin, uri), 'sendReset');
    const jwt = must(await client.magicLink.verify(await outboxToken(pwdLogin, 'password-reset')), 'verify');
    must(await client.password.update(pwdLogin, 'An0ther!Pass', jwt.refreshJwt), 'update');
    must(await client.password.signIn(pwdLogin, 'An0ther!Pass'), 'signIn');
  });
}
await magicLinkAndPassword();
// ---- end magic link and password -------------------------------------------------------
// ---- WebAuthn (passkeys) ----------------------------------------------------------------
// A minimal software authenticator (ES256, "none" attestation, sign counter) on node:crypto:
// enough to finish real ceremonies.
const PASSKEY_ORIGIN = 'http://localhost:3000';
const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
    const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') { const b = Buffer.from(value); return Buffer.concat([head(3, b.length), b]); }
  if (value instanceof Map) {
    return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  }
  throw new Error(`cbor: ${typeof value}`);
}

class SoftPasskey {
  constructor() {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' });
    this.credId = crypto.randomBytes(16);
    this.counter = 0;
  }

  clientData(type, options) {
    return Buffer.from(JSON.stringify({ type, challenge: options.challenge, origin: PASSKEY_ORIGIN, crossOrigin: false }));
  }

  create(optionsJson) {
    const options = JSON.parse(optionsJson).publicKey;
    if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new Error('no ES256');
    const cose = new Map([[1, 2], [3, -7], [-1, 1],
      [-2, Buffer.from(this.jwk.x, 'base64url')], [-3, Buffer.from(this.jwk.y, 'base64url')]]);
    const len = Buffer.alloc(2); len.writeUInt16BE(this.credId.length);
    const authData = Buffer.concat([sha256(options.rp.id), Buffer.from([0x45]), Buffer.alloc(4),
      Buffer.alloc(16), len, this.credId, cbor(cose)]);
    const attestation = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return JSON.stringify({ id: b64u(this.credId), rawId: b64u(this.credId), type: 'public-key',
      response: { clientDataJSON: b64u(this.clientData('webauthn.create', options)), attestationObject: b64u(attestation) } });
  }

  get(optionsJson) {
    const options = JSON.parse(optionsJson).publicKey;
    if (!(options.allowCredentials || []).some((c) => c.id === b64u(this.credId))) throw new Error('not allowed');
    this.counter += 1;
    const counter = Buffer.alloc(4); counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(options.rpId), Buffer.from([0x05]), counter]);
    const clientData = this.clientData('webauthn.get', options);
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return JSON.stringify({ id: b64u(this.credId), rawId: b64u(this.credId), type: 'public-key',
      response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature) } });
  }
}

function checkStart(started, create) {
  if (!started.transactionId || started.create !== create) throw new Error(JSON.stringify(started));
  if (!JSON.parse(started.options).publicKey.challenge) throw new Error('no challenge');
}

function amrOf(jwt) {
  return JSON.parse(Buffer.from(jwt.sessionJwt.split('.')[1], 'base64url').toString()).amr;
}

await step('webauthn signUp.start -> authenticator -> signUp.finish', async () => {
  const loginId = `node-wa-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const passkey = new SoftPasskey();
  const started = must(await client.webauthn.signUp.start(loginId, PASSKEY_ORIGIN, 'Node Passkey'), 'signUp.start');
  checkStart(started, true);
  const jwt = must(await client.webauthn.signUp.finish(started.transactionId, passkey.create(started.options)), 'signUp.finish');
  if (JSON.stringify(amrOf(jwt)) !== '["webauthn"]') throw new Error(`amr ${amrOf(jwt)}`);
  Object.assign(state, { waLogin: loginId, waPasskey: passkey, waRefresh: jwt.refreshJwt });
});

await step('webauthn signIn.start / signUpOrIn.start -> signIn.finish', async () => {
  for (const start of [client.webauthn.signIn.start, client.webauthn.signUpOrIn.start]) {
    const started = must(await start(state.waLogin, PASSKEY_ORIGIN), 'start');
    checkStart(started, false);
    must(await client.webauthn.signIn.finish(started.transactionId, state.waPasskey.get(started.options)), 'signIn.finish');
  }
});

await step('webauthn update.start (refresh) -> update.finish adds a passkey', async () => {
  const second = new SoftPasskey();
  const started = must(await client.webauthn.update.start(state.waLogin, PASSKEY_ORIGIN, state.waRefresh), 'update.start');
  checkStart(started, true);
  must(await client.webauthn.update.finish(started.transactionId, second.create(started.options)), 'update.finish');
  const signIn = must(await client.webauthn.signIn.start(state.waLogin, PASSKEY_ORIGIN), 'signIn.start');
  must(await client.webauthn.signIn.finish(signIn.transactionId, second.get(signIn.options)), 'signIn.finish');
});

await step('webauthn replayed assertion is rejected', async () => {
  const started = must(await client.webauthn.signIn.start(state.waLogin, PASSKEY_ORIGIN), 'signIn.start');
  const assertion = state.waPasskey.get(started.options);
  must(await client.webauthn.signIn.finish(started.transactionId, assertion), 'signIn.finish');
  const replay = await client.webauthn.signIn.finish(started.transactionId, assertion);
  if (replay.ok) throw new Error('replayed assertion accepted');
});
// ---- end WebAuthn ---------------------------------------------------------------------
// ---- management: users (COMPAT_MANAGEMENT_KEY, the emulator's banner key) ----------------
async function managementUsers() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management.user;
  const login = `node-mgmt-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const signIn = async () => {
    const { url } = must(await client.oauth.start('google', REDIRECT, undefined, undefined, login), 'start');
    return client.oauth.exchange(await codeFrom(url));
  };

  await step('mgmt user create -> load -> search', async () => {
    const user = must(await mgmt.create(login, {
      email: login, displayName: 'Node Mgmt', roles: ['viewer'],
      userTenants: [{ tenantId: TENANT, roleNames: ['tenant-member'] }],
    }), 'create');
    if (user.loginIds[0] !== login) throw new Error(JSON.stringify(user));
    const loaded = must(await mgmt.load(login), 'load');
    if (loaded.roleNames[0] !== 'viewer') throw new Error(JSON.stringify(loaded));
    const found = must(await mgmt.search({ emails: [login] }), 'search');
    const list = Array.isArray(found) ? found : found.users;
    if (list.length !== 1) throw new Error(JSON.stringify(found));
  });

  await step('mgmt user patch, update, roles and tenants', async () => {
    const patched = must(await mgmt.patch(login, { displayName: 'Patched' }), 'patch');
    if (patched.name !== 'Patched' || patched.roleNames[0] !== 'viewer') throw new Error(JSON.stringify(patched));
    const updated = must(await mgmt.update(login, { email: login, roles: ['admin'] }), 'update');
    if (updated.userTenants.length !== 0 || updated.roleNames[0] !== 'admin') throw new Error(JSON.stringify(updated));
    must(await mgmt.addTenant(login, TENANT), 'addTenant');
    must(await mgmt.setTenantRoles(login, TENANT, ['tenant-admin']), 'setTenantRoles');
  });

  await step('mgmt deactivate -> sign-in refused; activate -> token carries roles and tenants', async () => {
    must(await mgmt.deactivate(login), 'deactivate');
    const refused = await signIn();
    if (refused.ok) throw new Error('a deactivated user signed in');
    must(await mgmt.activate(login), 'activate');
    const jwt = must(await signIn(), 'sign-in');
    const claims = (await client.validateSession(jwt.sessionJwt)).token;
    if (claims.roles[0] !== 'admin') throw new Error(JSON.stringify(claims));
    if (claims.tenants[TENANT].roles[0] !== 'tenant-admin') throw new Error(JSON.stringify(claims));
  });

  await step('mgmt test users and delete', async () => {
    must(await mgmt.createTestUser(`node-test-${crypto.randomUUID().slice(0, 8)}@example.com`), 'createTestUser');
    must(await mgmt.deleteAllTestUsers(), 'deleteAllTestUsers');
    must(await mgmt.delete(login), 'delete');
    const gone = await mgmt.load(login);
    if (gone.ok) throw new Error('a deleted user still loads');
  });
}

await managementUsers();
// ---- end management: users ----------------------------------------------------------------
// ---- management: tenants and SSO settings (COMPAT_MANAGEMENT_KEY) --------------------------
async function managementTenants() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management;
  const { tenant: tenants, sso, user: users } = mgmt;
  const suffix = crypto.randomUUID().slice(0, 8);
  const domain = `node-${suffix}.example`;
  const made = {};
  const fail = (what) => { throw new Error(JSON.stringify(what)); };

  await step('mgmt tenant create, createWithId -> load -> loadAll -> searchAll', async () => {
    made.id = must(await tenants.create(`Node Tenant ${suffix}`, [domain], { tier: suffix }), 'create').id;
    if (!made.id) fail(made);
    made.other = `T2Node${suffix}`;
    must(await tenants.createWithId(made.other, `Node Other ${suffix}`), 'createWithId');
    const loaded = must(await tenants.load(made.id), 'load');
    if (loaded.name !== `Node Tenant ${suffix}` || loaded.selfProvisioningDomains[0] !== domain) fail(loaded);
    const ids = must(await tenants.loadAll(), 'loadAll').map((t) => t.id);
    if (!ids.includes(made.id) || !ids.includes(made.other) || !ids.includes(TENANT)) fail(ids);
    const found = must(await tenants.searchAll(undefined, undefined, undefined, { tier: suffix }), 'searchAll');
    if (found.length !== 1 || found[0].id !== made.id) fail(found);
  });

  await step('mgmt tenant update, configureSettings -> getSettings', async () => {
    must(await tenants.update(made.id, `Node Renamed ${suffix}`, [domain], undefined, false, true), 'update');
    const loaded = must(await tenants.load(made.id), 'load');
    if (loaded.name !== `Node Renamed ${suffix}` || !loaded.disabled) fail(loaded);
    must(await tenants.configureSettings(made.id, {
      domains: [domain], selfProvisioningDomains: [domain], enabled: true,
      sessionTokenExpiration: 10, sessionTokenExpirationUnit: 'minutes',
      enableInactivity: true, InactivityTime: 30, InactivityTimeUnit: 'minutes',
    }), 'configureSettings');
    const settings = must(await tenants.getSettings(made.id), 'getSettings');
    if (settings.domains[0] !== domain || settings.inactivityTime !== 30) fail(settings);
    if (settings.sessionTokenExpiration !== 10) fail(settings);
  });

  await step('mgmt tenant given to a user shows in the session token', async () => {
    made.member = `node-member-${suffix}@${domain}`;
    must(await users.create(made.member, {
      email: made.member, userTenants: [{ tenantId: made.id, roleNames: ['tenant-member'] }],
    }), 'user create');
    const { url } = must(await client.oauth.start('google', REDIRECT, undefined, undefined, made.member), 'start');
    const jwt = must(await client.oauth.exchange(await codeFrom(url)), 'exchange');
    const claims = (await client.validateSession(jwt.sessionJwt)).token;
    if (claims.tenants[made.id].roles[0] !== 'tenant-member') fail(claims);
  });

  await step('mgmt sso configureSAMLSettings -> loadSettings; SSO start by the domain', async () => {
    must(await sso.configureSAMLSettings(made.id, {
      idpUrl: 'https://idp.example.com/sso', entityId: 'https://idp.example.com/entity', idpCert: 'cert',
      roleMappings: [{ groups: ['admins'], role: 'admin' }], defaultSSORoles: ['viewer'],
    }, REDIRECT, [domain], 'sso-node'), 'configureSAMLSettings');
    const loaded = must(await sso.loadSettings(made.id), 'loadSettings');
    if (loaded.saml.idpSSOUrl !== 'https://idp.example.com/sso' || loaded.ssoId !== 'sso-node') fail(loaded);
    if (loaded.saml.groupsMapping[0].roleName !== 'admin') fail(loaded);
    const { url } = must(await client.sso.start(`someone@${domain}`, REDIRECT), 'start');
    const jwt = must(await client.sso.exchange(await codeFrom(url)), 'exchange');
    const claims = (await client.validateSession(jwt.sessionJwt)).token;
    if (claims.tenants[made.id].roles[0] !== 'viewer') fail(claims);
  });

  await step('mgmt sso OIDC, SAML by metadata, mapping, deprecated getSettings, delete', async () => {
    must(await sso.configureOIDCSettings(made.id, {
      name: 'node-oidc', clientId: 'cid', clientSecret: 'secret',
      attributeMapping: { email: 'email' },
    }), 'configureOIDCSettings');
    const loaded = must(await sso.loadSettings(made.id), 'loadSettings');
    if (loaded.oidc.clientId !== 'cid' || loaded.saml || loaded.oidc.clientSecret) fail(loaded);
    if (loaded.oidc.attributeMapping.email !== 'email') fail(loaded);
    must(await sso.configureSAMLByMetadata(made.id, { idpMetadataUrl: 'https://idp.example.com/md' }), 'byMetadata');
    must(await sso.configureMapping(made.id, [{ groups: ['ops'], role: 'viewer' }], { name: 'n' }, ['viewer']), 'mapping');
    const old = must(await sso.getSettings(made.id), 'getSettings');
    if (old.idpMetadataUrl !== 'https://idp.example.com/md' || old.groupsMapping[0].groups[0] !== 'ops') fail(old);
    must(await sso.deleteSettings(made.id, 'sso-node'), 'deleteSettings');
    const after = must(await sso.loadSettings(made.id), 'loadSettings');
    if (after.saml || after.oidc) fail(after);
  });

  await step('mgmt tenant delete (cascade takes its only-members) -> load fails', async () => {
    must(await tenants.delete(made.other), 'delete');
    must(await tenants.delete(made.id, true), 'delete cascade');
    if ((await tenants.load(made.id)).ok) throw new Error('a deleted tenant still loads');
    if ((await users.load(made.member)).ok) throw new Error('the only-member survived the cascade');
  });
}

await managementTenants();
// ---- end management: tenants and SSO settings ------------------------------------------------

// ---- management: invitations and test users (COMPAT_MANAGEMENT_KEY) ----------------------
async function managementTestUsers() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management.user;
  const outbox = async (login) => {
    const r = await fetch(`${BASE}/emulator/outbox?loginId=${encodeURIComponent(login)}`,
      { headers: { Authorization: `Bearer ${PID}` } });
    return (await r.json()).messages;
  };
  const tokenOf = (link) => new URL(link).searchParams.get('t');
  const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.sessionJwt.split('.')[1], 'base64url'));
  const tag = crypto.randomUUID().slice(0, 8);
  const testLogin = `node-test-${tag}@example.com`;
  const claims = { customClaims: { k: 'v' } };

  await step('mgmt invite -> the outbox invite link signs in', async () => {
    const login = `node-invite-${tag}@example.com`;
    const user = must(await mgmt.invite(login, { email: login, inviteUrl: 'http://127.0.0.1:9/invite' }), 'invite');
    const invite = (await outbox(login)).filter((m) => m.kind === 'invite').pop();
    if (!invite.link.startsWith('http://127.0.0.1:9/invite')) throw new Error(JSON.stringify(invite));
    const jwt = must(await client.magicLink.verify(tokenOf(invite.link)), 'verify');
    if (jwt.user.userId !== user.userId) throw new Error(JSON.stringify(jwt.user));
  });

  await step('mgmt createBatch / inviteBatch -> createdUsers, failedUsers', async () => {
    const login = `node-batch-${tag}@example.com`;
    const created = must(await mgmt.createBatch([{ loginId: login, email: login, password: { cleartext: 'Batch!Pass1' } }]), 'createBatch');
    if (created.createdUsers.length !== 1) throw new Error(JSON.stringify(created));
    must(await client.password.signIn(login, 'Batch!Pass1'), 'password signIn');
    const again = must(await mgmt.inviteBatch([{ loginId: login, email: login }], 'http://127.0.0.1:9/invite', true), 'inviteBatch');
    if (again.failedUsers.length !== 1 || !again.failedUsers[0].failure) throw new Error(JSON.stringify(again));
  });

  await step('mgmt generateOTPForTestUser -> otp.verify.email', async () => {
    must(await mgmt.createTestUser(testLogin, { email: testLogin }), 'createTestUser');
    const answer = must(await mgmt.generateOTPForTestUser('email', testLogin, claims), 'generate');
    if ((await outbox(testLogin)).pop().code !== answer.code) throw new Error('not the outbox code');
    const jwt = must(await client.otp.verify.email(testLogin, answer.code), 'verify');
    if (claimsOf(jwt).k !== 'v') throw new Error(JSON.stringify(claimsOf(jwt)));
  });

  await step('mgmt generateMagicLinkForTestUser -> magicLink.verify', async () => {
    const answer = must(await mgmt.generateMagicLinkForTestUser('email', testLogin, 'http://127.0.0.1:9/verify', claims), 'generate');
    if ((await outbox(testLogin)).pop().link !== answer.link) throw new Error('not the outbox link');
    const jwt = must(await client.magicLink.verify(tokenOf(answer.link)), 'verify');
    if (claimsOf(jwt).k !== 'v') throw new Error(JSON.stringify(claimsOf(jwt)));
  });

  await step('mgmt generateEnchantedLinkForTestUser -> verify -> waitForSession', async () => {
    const answer = must(await mgmt.generateEnchantedLinkForTestUser(testLogin, 'http://127.0.0.1:9/verify', claims), 'generate');
    must(await client.enchantedLink.verify(tokenOf(answer.link)), 'verify');
    const jwt = must(await client.enchantedLink.waitForSession(answer.pendingRef, { pollingIntervalMs: 1000, timeoutMs: 10000 }), 'waitForSession');
    if (claimsOf(jwt).k !== 'v') throw new Error(JSON.stringify(claimsOf(jwt)));
  });

  await step('mgmt generateEmbeddedLink -> magicLink.verify with the claims', async () => {
    const { token } = must(await mgmt.generateEmbeddedLink(testLogin, { k: 'emb' }, 60), 'generate');
    const jwt = must(await client.magicLink.verify(token), 'verify');
    if (claimsOf(jwt).k !== 'emb') throw new Error(JSON.stringify(claimsOf(jwt)));
    const refused = await mgmt.generateOTPForTestUser('email', `node-nobody-${tag}@example.com`);
    if (refused.ok) throw new Error('a code for an unknown user');
    must(await mgmt.deleteAllTestUsers(), 'deleteAllTestUsers');
  });
}

await managementTestUsers();
// ---- end management: invitations and test users -------------------------------------------

// ---- management: user operations (login id, addresses, passwords, credentials, logout) --
async function managementUserOps() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management.user;
  const login = `node-ops-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const newLogin = `node-ops-new-${crypto.randomUUID().slice(0, 8)}@example.com`;

  await step('mgmt setActivePassword -> password.signIn; expirePassword -> refused', async () => {
    state.opsUser = must(await mgmt.create(login, { email: login }), 'create').userId;
    must(await mgmt.setActivePassword(login, 'Act!Passw0rd'), 'setActivePassword');
    state.opsRefresh = must(await client.password.signIn(login, 'Act!Passw0rd'), 'signIn').refreshJwt;
    must(await mgmt.expirePassword(login), 'expirePassword');
    const expired = await client.password.signIn(login, 'Act!Passw0rd');
    if (expired.ok || expired.error?.errorCode !== 'E062909') throw new Error(JSON.stringify(expired));
    must(await mgmt.setTemporaryPassword(login, 'Tmp!Passw0rd'), 'setTemporaryPassword');
    must(await mgmt.setPassword(login, 'Old!Passw0rd'), 'setPassword');
    must(await mgmt.setActivePassword(login, 'Act!Passw0rd'), 'setActivePassword');
  });

  await step('mgmt logoutUser -> refresh rejected', async () => {
    await client.refreshSession(state.opsRefresh); // throws unless it refreshes
    must(await mgmt.logoutUser(login), 'logoutUser');
    let rejected = false;
    try { await client.refreshSession(state.opsRefresh); } catch { rejected = true; }
    if (!rejected) throw new Error('a logged-out refresh token still refreshes');
    must(await mgmt.logoutUserByUserId(state.opsUser), 'logoutUserByUserId');
  });

  await step('mgmt update login id, email, phone, names, picture, custom attribute', async () => {
    let user = must(await mgmt.updateLoginId(login, newLogin), 'updateLoginId');
    if (user.loginIds[0] !== newLogin) throw new Error(JSON.stringify(user));
    must(await client.password.signIn(newLogin, 'Act!Passw0rd'), 'signIn with the new id');
    user = must(await mgmt.updateEmail(newLogin, 'node-ops-mail@example.com', true, true), 'updateEmail');
    if (user.email !== 'node-ops-mail@example.com' || !user.verifiedEmail) throw new Error(JSON.stringify(user));
    user = must(await mgmt.updatePhone(newLogin, '+15555550136', false, false), 'updatePhone');
    if (user.phone !== '+15555550136') throw new Error(JSON.stringify(user));
    user = must(await mgmt.updateDisplayName(newLogin, 'Display', 'Given', 'Middle', 'Family'), 'updateDisplayName');
    if (user.name !== 'Display' || user.familyName !== 'Family') throw new Error(JSON.stringify(user));
    user = must(await mgmt.updatePicture(newLogin, 'https://example.com/p.png'), 'updatePicture');
    if (user.picture !== 'https://example.com/p.png') throw new Error(JSON.stringify(user));
    user = must(await mgmt.updateCustomAttribute(newLogin, 'tier', 'bronze'), 'updateCustomAttribute');
    if (user.customAttributes.tier !== 'bronze') throw new Error(JSON.stringify(user));
  });

  await step('mgmt remove passkeys and TOTP seed, loadUsers, deleteByUserId', async () => {
    must(await mgmt.removeAllPasskeys(newLogin), 'removeAllPasskeys');
    must(await mgmt.removeTOTPSeed(newLogin), 'removeTOTPSeed');
    const users = must(await mgmt.loadUsers([state.opsUser], true), 'loadUsers');
    if (users.length !== 1 || users[0].userId !== state.opsUser) throw new Error(JSON.stringify(users));
    must(await mgmt.deleteByUserId(state.opsUser), 'deleteByUserId');
    const gone = await mgmt.load(newLogin);
    if (gone.ok) throw new Error('a user deleted by id still loads');
  });
}

await managementUserOps();
// ---- end management: user operations ------------------------------------------------------

// ---- management: roles, permissions, access keys ------------------------------------------
async function managementRolesAndAccessKeys() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management;
  const suffix = crypto.randomUUID().slice(0, 8);
  const perm = `node-perm-${suffix}`, role = `node-role-${suffix}`;
  const login = `node-roles-${suffix}@example.com`;
  const claimsOf = async () => {
    const { url } = must(await client.oauth.start('google', REDIRECT, undefined, undefined, login), 'start');
    const jwt = must(await client.oauth.exchange(await codeFrom(url)), 'exchange');
    return (await client.validateSession(jwt.sessionJwt)).token;
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  await step('mgmt permission + role create -> loadAll -> search', async () => {
    must(await mgmt.permission.create(perm, 'Compat permission'), 'permission.create');
    const perms = must(await mgmt.permission.loadAll(), 'permission.loadAll');
    if (!perms.some((p) => p.name === perm)) throw new Error(JSON.stringify(perms));
    must(await mgmt.role.create(role, 'Compat', [perm, 'read']), 'role.create');
    must(await mgmt.role.create(role, undefined, [perm], TENANT), 'role.create tenant');
    const roles = must(await mgmt.role.loadAll(), 'role.loadAll');
    if (!roles.some((r) => r.name === role && same(r.permissionNames, [perm, 'read']))) {
      throw new Error(JSON.stringify(roles));
    }
    const found = must(await mgmt.role.search({ tenantIds: [TENANT], roleNameLike: suffix }), 'role.search');
    if (found.length !== 1 || found[0].tenantId !== TENANT) throw new Error(JSON.stringify(found));
  });

  await step('mgmt role given to a user shows in its token; updates reach the next token', async () => {
    must(await mgmt.user.create(login, {
      email: login, roles: [role], userTenants: [{ tenantId: TENANT, roleNames: [role] }],
    }), 'user.create');
    let claims = await claimsOf();
    if (!same(claims.roles, [role]) || !same(claims.permissions, [perm, 'read'].sort())) {
      throw new Error(JSON.stringify(claims));
    }
    if (!same(claims.tenants[TENANT].permissions, [perm])) throw new Error(JSON.stringify(claims));
    must(await mgmt.role.update(role, role, undefined, ['read']), 'role.update');
    must(await mgmt.permission.update(perm, `${perm}-2`, 'renamed'), 'permission.update');
    claims = await claimsOf();
    if (!same(claims.permissions, ['read'])) throw new Error(JSON.stringify(claims));
    if (!same(claims.tenants[TENANT].permissions, [`${perm}-2`])) throw new Error(JSON.stringify(claims));
    must(await mgmt.permission.delete(`${perm}-2`), 'permission.delete');
    must(await mgmt.role.delete(role, TENANT), 'role.delete tenant');
    must(await mgmt.role.delete(role), 'role.delete');
    const roles = must(await mgmt.role.loadAll(), 'role.loadAll');
    if (roles.some((r) => r.name === role)) throw new Error('a deleted role still loads');
    must(await mgmt.user.delete(login), 'user.delete');
  });

  await step('mgmt access key create -> exchange -> load/searchAll -> update', async () => {
    const created = must(await mgmt.accessKey.create(`node-key-${suffix}`, 0, ['viewer'],
      [{ tenantId: TENANT, roleNames: ['tenant-member'] }], undefined, { team: 'compat' }, 'compat'),
    'accessKey.create');
    state.nodeKey = created.key.id;
    state.nodeKeySecret = created.cleartext;
    const info = await client.exchangeAccessKey(created.cleartext);
    if (!same(info.token.roles, ['viewer']) || info.token.team !== 'compat') throw new Error(JSON.stringify(info.token));
    const loaded = must(await mgmt.accessKey.load(state.nodeKey), 'accessKey.load');
    if (loaded.status !== 'active' || 'cleartext' in loaded) throw new Error(JSON.stringify(loaded));
    const found = must(await mgmt.accessKey.searchAll([TENANT]), 'accessKey.searchAll');
    if (!found.some((k) => k.id === state.nodeKey)) throw new Error(JSON.stringify(found));
    const updated = must(await mgmt.accessKey.update(state.nodeKey, `node-key-${suffix}-2`, 'v2', ['admin']),
      'accessKey.update');
    if (updated.name !== `node-key-${suffix}-2` || !same(updated.roleNames, ['admin'])) {
      throw new Error(JSON.stringify(updated));
    }
  });

  await step('mgmt access key deactivate -> exchange refused; activate; delete -> refused', async () => {
    const refused = async () => {
      try {
        await client.exchangeAccessKey(state.nodeKeySecret);
        return false;
      } catch {
        return true;
      }
    };
    must(await mgmt.accessKey.deactivate(state.nodeKey), 'deactivate');
    if (!(await refused())) throw new Error('a deactivated key was exchanged');
    must(await mgmt.accessKey.activate(state.nodeKey), 'activate');
    if (await refused()) throw new Error('an activated key was refused');
    must(await mgmt.accessKey.delete(state.nodeKey), 'delete');
    if (!(await refused())) throw new Error('a deleted key was exchanged');
  });
}

await managementRolesAndAccessKeys();
// ---- end management: roles, permissions, access keys --------------------------------------
// ---- management: jwt, audit, history (COMPAT_MANAGEMENT_KEY) --------------------------------
async function managementJwtAudit() {
  const mgmt = DescopeClient({
    projectId: PID, baseUrl: BASE, managementKey: process.env.COMPAT_MANAGEMENT_KEY,
  }).management;
  const login = `node-jwt-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const agent = `node-agent-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const state = {};

  await step('mgmt jwt signUp -> signIn -> refresh; update adds claims', async () => {
    must(await mgmt.jwt.signUp(login), 'signUp');
    const jwt = must(await mgmt.jwt.signIn(login), 'signIn');
    state.userId = must(await mgmt.user.load(login), 'load').userId;
    // refreshSession answers the validated token (it throws on failure).
    const refreshed = await client.refreshSession(jwt.refreshJwt);
    if (!refreshed.jwt) throw new Error('refresh answered no session');
    const updated = must(await mgmt.jwt.update(jwt.sessionJwt, { plan: 'gold' }), 'update');
    const claims = (await client.validateSession(updated.jwt)).token;
    if (claims.plan !== 'gold') throw new Error(JSON.stringify(claims));
  });

  await step('mgmt jwt impersonate: refused without the permission, act with it', async () => {
    const agentId = must(await mgmt.user.create(agent, { roles: ['support'] }), 'create').userId;
    const refused = await mgmt.jwt.impersonate(state.userId, login, false);
    if (refused.ok) throw new Error('impersonation without the permission');
    const token = must(await mgmt.jwt.impersonate(agentId, login, false), 'impersonate').jwt;
    const claims = (await client.validateSession(token)).token;
    if (claims.act.sub !== agentId) throw new Error(JSON.stringify(claims));
    const back = must(await mgmt.jwt.stopImpersonation(token), 'stopImpersonation').jwt;
    if ((await client.validateSession(back)).token.sub !== agentId) throw new Error('not the agent');
  });

  await step('mgmt audit search finds the sign-ins; createEvent; user history', async () => {
    const found = must(await mgmt.audit.search({ userIds: [state.userId], actions: ['UserRefresh'] }), 'search');
    if (found.length !== 1 || found[0].loginIds[0] !== login) throw new Error(JSON.stringify(found));
    must(await mgmt.audit.createEvent({
      action: 'NodeCompat', type: 'info', actorId: 'U2actor', tenantId: TENANT, userId: state.userId,
    }), 'createEvent');
    const custom = must(await mgmt.audit.search({ actions: ['NodeCompat'] }), 'search custom');
    if (custom.length !== 1) throw new Error(JSON.stringify(custom));
    const history = must(await mgmt.user.history([state.userId]), 'history');
    if (history.length !== 2 || history[0].userId !== state.userId) throw new Error(JSON.stringify(history));
  });
}

await managementJwtAudit();
// ---- end management: jwt, audit, history ----------------------------------------------------

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`node-sdk: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
