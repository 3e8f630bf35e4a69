// Which redirect URI the analyst registers at Lightspeed, computed in the browser because only the browser knows
// the address the notebook is served from (a Jupyter server behind a proxy or JupyterHub cannot tell).
//
// - "jupyter": the package's Jupyter server extension answers at `<base_url>ls-widget/oauth/callback` and relays
//   the code to the panel. Works when Lightspeed can redirect there: the page is HTTPS, or the authorization
//   server is local (the sandbox accepts http).
// - "paste": register `https://localhost`; the analyst pastes the address the browser lands on.
// "auto" picks "jupyter" on an HTTPS Jupyter page or with a local authorization server, else "paste".

/** @typedef {import("./types.js").CaptureMode} CaptureMode */
/** @typedef {"jupyter" | "paste"} EffectiveMode */

export const CALLBACK_PATH = "ls-widget/oauth/callback";
export const PASTE_REDIRECT_URI = "https://localhost";

/** @param {string} url */
const withSlash = (url) => (url.endsWith("/") ? url : `${url}/`);

/**
 * The Jupyter server's base URL as the page declares it, or null when the page is not served by a Jupyter server
 * (VS Code, Colab and other hosts have no `ls-widget/oauth/callback` route).
 * JupyterLab and Notebook 7 embed `<script id="jupyter-config-data">` with `baseUrl`; the classic notebook puts
 * `data-base-url` on <body>.
 * @param {Document} doc
 * @returns {string | null}
 */
export function jupyterBaseUrl(doc) {
  const config = doc.getElementById("jupyter-config-data");
  if (config) {
    try {
      const baseUrl = JSON.parse(config.textContent || "{}").baseUrl;
      return withSlash(typeof baseUrl === "string" && baseUrl ? baseUrl : "/");
    } catch {
      return "/";
    }
  }
  const classic = doc.body?.getAttribute("data-base-url");
  return classic ? withSlash(classic) : null;
}

/**
 * @typedef {object} RedirectPlan
 * @property {EffectiveMode} mode
 * @property {"chosen" | "https" | "loopback" | "not-https" | "not-jupyter"} reason  why this mode (for the hint)
 * @property {string} uri
 * @property {boolean} https  whether Lightspeed's own server would accept the URI
 */

/**
 * @param {object} input
 * @param {CaptureMode} input.captureMode
 * @param {boolean} input.loopback          the authorization server is local (`_auth_host_loopback`)
 * @param {{ protocol: string, origin: string }} input.location
 * @param {string | null} input.baseUrl      from jupyterBaseUrl(); null off a Jupyter page
 * @returns {RedirectPlan}
 */
export function planRedirect({ captureMode, loopback, location, baseUrl }) {
  const servable = baseUrl !== null && location.origin !== "null";
  /** @type {EffectiveMode} */
  let mode;
  /** @type {RedirectPlan["reason"]} */
  let reason;
  if (captureMode === "jupyter" || captureMode === "paste") {
    mode = captureMode;
    reason = "chosen";
  } else if (!servable) {
    mode = "paste";
    reason = "not-jupyter";
  } else if (location.protocol === "https:") {
    mode = "jupyter";
    reason = "https";
  } else if (loopback) {
    mode = "jupyter";
    reason = "loopback";
  } else {
    mode = "paste";
    reason = "not-https";
  }
  const uri = mode === "jupyter" ? callbackUrl(baseUrl ?? "/", location.origin) : PASTE_REDIRECT_URI;
  return { mode, reason, uri, https: uri.startsWith("https:") };
}

/**
 * The Jupyter route's address. Falls back to the paste URI for a page whose origin cannot carry a path
 * ("null" origins of sandboxed frames and file: pages), where no Jupyter route could answer anyway.
 * @param {string} baseUrl
 * @param {string} origin
 */
export function callbackUrl(baseUrl, origin) {
  try {
    return new URL(withSlash(baseUrl) + CALLBACK_PATH, origin).href;
  } catch {
    return PASTE_REDIRECT_URI;
  }
}

/**
 * One line saying how the redirect is caught in this mode, and why this mode when it was picked automatically.
 * @param {RedirectPlan} plan
 */
export function describePlan(plan) {
  const how =
    plan.mode === "jupyter"
      ? "The Jupyter server catches Lightspeed's redirect at this address and hands the code to the panel."
      : "After you approve access, the browser opens https://localhost, which does not load: paste that page's address into the panel within 60 seconds.";
  const why = {
    chosen: "",
    https: "Picked automatically: this page is served over HTTPS. ",
    loopback: "Picked automatically: the authorization server is local. ",
    "not-https": "Picked automatically: this page is not served over HTTPS. ",
    "not-jupyter": "Picked automatically: this page is not served by a Jupyter server. ",
  }[plan.reason];
  return why + how;
}

/** The plain warning for a redirect URI Lightspeed's real servers would refuse. */
export const NOT_HTTPS_WARNING =
  "Lightspeed accepts only HTTPS redirect URIs: this http address works with the local sandbox only. " +
  "Serve Jupyter over HTTPS or use paste mode (https://localhost).";
