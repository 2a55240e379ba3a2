// GraphQL over HTTP POST /graphql: plain JSON requests, and the GraphQL multipart request
// spec for uploads. No session logic here (see session.js); this module only speaks the wire.

export const ENDPOINT = "/graphql";

/** A top-level GraphQL error (or a network failure), with the API's `extensions.code`. */
export class ApiError extends Error {
  constructor(message, code, errors = []) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.errors = errors;
  }
}

/** A mutation's expected failure: its payload's `userErrors`, shown to the person as they are. */
export class UserErrors extends Error {
  constructor(userErrors) {
    super(userErrors.map((error) => error.message).join(" "));
    this.name = "UserErrors";
    this.userErrors = userErrors;
    this.codes = userErrors.map((error) => error.code);
  }
}

/**
 * Run one operation and return its `data`.
 * `files` maps variable paths ("input.attachments.0") to File objects; when given, the request
 * goes as multipart/form-data with `GraphQL-Preflight: 1`, the header the server requires on
 * multipart requests so that a cross-site form cannot post uploads with a user's credentials.
 */
export async function post(query, variables = {}, { token = null, files = null } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (files && Object.keys(files).length > 0) {
    body = multipartBody(query, variables, files);
    headers["GraphQL-Preflight"] = "1";
  } else {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify({ query, variables });
  }
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", headers, body });
  } catch (error) {
    throw new ApiError("Không kết nối được máy chủ. Kiểm tra mạng và thử lại.", "NETWORK", [error]);
  }
  let result;
  try {
    result = await response.json();
  } catch (error) {
    throw new ApiError(`Máy chủ trả lời không hợp lệ (HTTP ${response.status}).`, "BAD_RESPONSE");
  }
  if (result.errors && result.errors.length > 0) {
    const first = result.errors[0];
    const code = first.extensions?.code ?? "GRAPHQL_ERROR";
    throw new ApiError(first.message, code, result.errors);
  }
  return result.data;
}

function multipartBody(query, variables, files) {
  // The spec: `operations` carries the variables with null where each file goes, and `map`
  // says which form field fills which variable path.
  const operations = { query, variables: structuredClone(variables) };
  const map = {};
  Object.entries(files).forEach(([path, file], index) => {
    setPath(operations.variables, path, null);
    map[String(index)] = [`variables.${path}`];
  });
  const form = new FormData();
  form.append("operations", JSON.stringify(operations));
  form.append("map", JSON.stringify(map));
  Object.values(files).forEach((file, index) => form.append(String(index), file, file.name));
  return form;
}

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  keys.slice(0, -1).forEach((key, i) => {
    if (node[key] === undefined || node[key] === null) {
      node[key] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    }
    node = node[key];
  });
  node[keys[keys.length - 1]] = value;
}

/** A mutation payload: return it, or throw its userErrors. */
export function payloadOf(data, field) {
  const payload = data[field];
  if (payload.userErrors && payload.userErrors.length > 0) throw new UserErrors(payload.userErrors);
  return payload;
}
