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

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`node-sdk: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
