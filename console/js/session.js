// The staff member's session: tokens from `login`, kept in sessionStorage (one browser tab,
// gone when it closes: a shared office computer should not stay signed in), renewed with
// `refreshSession` shortly before the 15-minute access token runs out.

import { ApiError, payloadOf, post } from "./api.js";

const STORAGE_KEY = "phananh.console.session";
// Renew this long before expiry so that a request never leaves with a token about to lapse.
const RENEW_MARGIN_MS = 60_000;

const VIEWER_FIELDS = "id displayName role agency { id name }";
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) {
    accessToken accessTokenExpiresAt refreshToken
    viewer { ${VIEWER_FIELDS} }
    userErrors { code message field }
  }
}`;
const REFRESH = `mutation Refresh($input: RefreshSessionInput!) {
  refreshSession(input: $input) {
    accessToken accessTokenExpiresAt refreshToken
    viewer { ${VIEWER_FIELDS} }
    userErrors { code message }
  }
}`;
const LOGOUT = `mutation Logout($input: LogoutInput!) { logout(input: $input) { ok } }`;

let current = read();
let renewing = null;
const listeners = new Set();

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
  } catch {
    return null;
  }
}

function store(session) {
  current = session;
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

function fromPayload(payload) {
  return {
    accessToken: payload.accessToken,
    expiresAt: Date.parse(payload.accessTokenExpiresAt),
    refreshToken: payload.refreshToken,
    viewer: payload.viewer,
  };
}

/** The signed-in viewer, or null. */
export function viewer() {
  return current?.viewer ?? null;
}

/** Called with no argument when the session ends (signed out, or could not be renewed). */
export function onSignedOut(listener) {
  listeners.add(listener);
}

export async function signIn(username, password) {
  const data = await post(LOGIN, { input: { username, password } });
  const payload = payloadOf(data, "login");
  store(fromPayload(payload));
  return payload.viewer;
}

export async function signOut() {
  const ending = current;
  store(null);
  if (ending?.refreshToken) {
    // Best effort: the tokens are gone from this tab whatever the server answers.
    await post(LOGOUT, { input: { refreshToken: ending.refreshToken } }).catch(() => {});
  }
  listeners.forEach((listener) => listener());
}

/** A valid access token, renewed first if it is about to expire; null when signed out. */
export async function accessToken() {
  if (!current) return null;
  if (current.expiresAt - Date.now() > RENEW_MARGIN_MS) return current.accessToken;
  await renew();
  return current?.accessToken ?? null;
}

/**
 * Renew once even when several requests find the token old at the same moment: a refresh
 * token is single-use, and presenting a rotated one ends the whole session family.
 */
function renew() {
  if (!renewing) {
    renewing = (async () => {
      try {
        const data = await post(REFRESH, { input: { refreshToken: current.refreshToken } });
        store(fromPayload(payloadOf(data, "refreshSession")));
      } catch (error) {
        if (error instanceof ApiError && error.code === "NETWORK") throw error;
        await signOut();
      } finally {
        renewing = null;
      }
    })();
  }
  return renewing;
}

/**
 * Run an operation as the signed-in user. An UNAUTHENTICATED answer (the token was revoked,
 * or the clock of this computer is off) is retried once after renewing the session.
 */
export async function request(query, variables = {}, files = null) {
  const token = await accessToken();
  try {
    return await post(query, variables, { token, files });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "UNAUTHENTICATED" || !current) throw error;
    current.expiresAt = 0;
    const renewed = await accessToken();
    if (!renewed) throw error;
    return post(query, variables, { token: renewed, files });
  }
}
