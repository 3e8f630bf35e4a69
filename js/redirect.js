// Which redirect URI the analyst registers at Lightspeed, computed in the browser because only the browser knows
// the address the notebook is served from (a Jupyter server behind a proxy or JupyterHub cannot tell).
//
// - "jupyter": the package's Jupyter server extension answers at `<base_url>ls-widget/oauth/callback` and relays
//   the code to the panel. Works when Lightspeed can redirect there: the page is HTTPS, or the authorization
//   server is local (the sandbox accepts http).
// - "paste": register `https://localhost`; the analyst pastes the address the browser lands on.
// "auto" picks "jupyter" on an HTTPS Jupyter page or with a local authorization server, else "paste"; and only when
// the route is really served. A page can carry Jupyter's config without the server serving extension routes:
// standalone Voila answers `403 File not allowlisted`, a server started with the extension disabled answers 404.
// So the route is probed once per page (a same-origin GET of the callback page, which marks itself with the
// `X-LS-Widget-Callback` header and a <meta> tag); until the answer comes, "auto" shows the route as tentative.

import { CALLBACK_PATH, MARKER_HEADER, MARKER_META } from "./constants.js";

/** @typedef {import("./types.js").CaptureMode} CaptureMode */
/** @typedef {"jupyter" | "paste"} EffectiveMode */

// The route and the callback page's mark are Python's (ls_widget.capture), generated into constants.js.
export { CALLBACK_PATH, MARKER_HEADER, MARKER_META };
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
 * What is known about the Jupyter route a plan relies on:
 * "unneeded" (paste mode: nothing to check), "checking" (the probe has not answered yet), "served" (the callback
 * page answered with its marker), "missing" (anything else: 403 from Voila, 404, a timeout, no Jupyter page).
 * @typedef {"unneeded" | "checking" | "served" | "missing"} RouteCheck
 */

/**
 * @typedef {object} RedirectPlan
 * @property {EffectiveMode} mode
 * @property {"chosen" | "https" | "loopback" | "not-https" | "not-jupyter" | "no-route"} reason  why (for the hint)
 * @property {string} uri
 * @property {boolean} https  whether Lightspeed's own server would accept the URI
 * @property {RouteCheck} route
 * @property {string | null} probe  the route address to probe for this plan, or null when the plan needs no probe
 */

/**
 * @param {object} input
 * @param {CaptureMode} input.captureMode
 * @param {boolean} input.loopback          the authorization server is local (`_auth_host_loopback`)
 * @param {{ protocol: string, origin: string }} input.location
 * @param {string | null} input.baseUrl      from jupyterBaseUrl(); null off a Jupyter page
 * @param {ProbeState | null} [input.route]  the probe's answer for the route address (routeState()); null: not
 *   asked yet, which counts as "checking"
 * @returns {RedirectPlan}
 */
export function planRedirect({ captureMode, loopback, location, baseUrl, route = null }) {
  const servable = baseUrl !== null && location.origin !== "null";
  const routeUri = callbackUrl(baseUrl ?? "/", location.origin);
  /** @type {RouteCheck} */
  const known = !servable ? "missing" : (route ?? "checking");
  /**
   * @param {EffectiveMode} mode
   * @param {RedirectPlan["reason"]} reason
   * @param {RouteCheck} check
   * @returns {RedirectPlan}
   */
  const plan = (mode, reason, check) => {
    const uri = mode === "jupyter" ? routeUri : PASTE_REDIRECT_URI;
    return { mode, reason, uri, https: uri.startsWith("https:"), route: check, probe: check === "checking" ? routeUri : null };
  };
  if (captureMode === "paste") return plan("paste", "chosen", "unneeded");
  // Chosen explicitly: kept even when the route does not answer (the panel warns instead of switching).
  if (captureMode === "jupyter") return plan("jupyter", "chosen", known);
  if (!servable) return plan("paste", "not-jupyter", "unneeded");
  /** @type {RedirectPlan["reason"] | null} */
  const why = location.protocol === "https:" ? "https" : loopback ? "loopback" : null;
  if (!why) return plan("paste", "not-https", "unneeded");
  // While the probe runs, the route is the tentative answer: it is the usual one, and the probe takes milliseconds.
  if (known === "missing") return plan("paste", "no-route", "missing");
  return plan("jupyter", why, known);
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
 * Whether the page is a Voila dashboard: a page for viewers, who run no code and configure no server (Voila marks
 * its <body> with data-voila).
 * @param {Document | undefined} doc
 */
export function isVoilaPage(doc) {
  return Boolean(doc?.body?.hasAttribute("data-voila"));
}

/**
 * One line saying how the redirect is caught in this mode, and why this mode when it was picked automatically.
 * @param {RedirectPlan} plan
 * @param {number | null} [codeLifetime]  seconds a code of the current API type lives (paste_field.js codeLifetime):
 *   the paste hint names it; without it the hint names no number rather than one that may be wrong for the API type
 * @param {{ viewer?: boolean }} [options]  viewer: a page for viewers (Voila), where nobody can change the server
 */
export function describePlan(plan, codeLifetime = null, { viewer = false } = {}) {
  const within = codeLifetime ? ` within ${codeLifetime} seconds` : " as soon as it shows (the code expires quickly)";
  if (viewer && plan.mode === "paste") return viewerPasteText(codeLifetime);
  if (viewer && plan.mode === "jupyter" && plan.route === "missing") return VIEWER_ROUTE_MISSING_TEXT;
  const how =
    plan.mode === "jupyter"
      ? "The Jupyter server catches Lightspeed's redirect at this address and hands the code to the panel."
      : `After you approve access, the browser opens https://localhost, which does not load: paste that page's address into the panel${within}.`;
  if (plan.reason !== "chosen" && plan.route === "checking") return CHECKING_TEXT;
  // Chosen by hand and not answering: the warning above the combobox says what to do; the hint must not promise.
  if (plan.mode === "jupyter" && plan.route === "missing") return CHOSEN_MISSING_TEXT;
  const why = {
    chosen: "",
    https: "Picked automatically: this page is served over HTTPS. ",
    loopback: "Picked automatically: the authorization server is local. ",
    "not-https": "Picked automatically: this page is not served over HTTPS. ",
    "not-jupyter": "Picked automatically: this page is not served by a Jupyter server. ",
    "no-route": NO_ROUTE_TEXT + " ",
  }[plan.reason];
  return why + how;
}

/**
 * The hint on a viewer's page (Voila) in paste mode: what to do, not why the server works the way it does.
 * @param {number | null} codeLifetime
 */
export function viewerPasteText(codeLifetime) {
  const within = codeLifetime ? ` within ${codeLifetime} seconds` : " at once";
  return (
    "On this page you finish signing in by pasting: after you approve access, your browser opens " +
    `${PASTE_REDIRECT_URI}, which does not load. Copy that page's whole address into the panel${within}.`
  );
}

/** On a viewer's page (Voila), the Jupyter route chosen by hand and not answering. */
export const VIEWER_ROUTE_MISSING_TEXT =
  "This page cannot receive Lightspeed's answer by itself: choose \u201cPaste the redirected URL\u201d under " +
  "Redirect capture, and paste the address you land on after approving.";

/** While the probe runs in automatic mode. */
export const CHECKING_TEXT =
  "Checking whether this Jupyter server serves ls_widget's sign-in page (if not, you'll paste the address instead)\u2026";

/** Automatic mode fell back to paste because the route did not answer. */
export const NO_ROUTE_TEXT =
  `This Jupyter server does not serve ls_widget's sign-in page, so you'll paste the address instead: register ${PASTE_REDIRECT_URI}.`;

/** The hint when the Jupyter route was chosen by hand and does not answer (the warning says what to do). */
export const CHOSEN_MISSING_TEXT = "Chosen by hand: the panel keeps the Jupyter server route although it does not answer here.";

/** The Jupyter route was chosen explicitly, and it does not answer. */
export const ROUTE_MISSING_WARNING =
  "This Jupyter server does not serve ls_widget's sign-in page at this address, so Lightspeed's redirect cannot " +
  "reach the panel. Enable the server extension (jupyter server extension enable ls_widget.capture) and restart " +
  "Jupyter, or choose \u201cPaste the redirected URL\u201d.";

/** The plain warning for a redirect URI Lightspeed's real servers would refuse. */
export const NOT_HTTPS_WARNING =
  "Lightspeed accepts only HTTPS redirect URIs: this http address works with the local sandbox only. " +
  "Serve Jupyter over HTTPS or use paste mode (https://localhost).";

// ----------------------------------------------------------------------------------------------------------------
// The probe: is the route served here?
// ----------------------------------------------------------------------------------------------------------------

/** @typedef {"checking" | "served" | "missing"} ProbeState */

// MARKER_HEADER (value "1") and MARKER_META, the page's two marks, come from constants.js (see the top).
/** The query the probe adds: the page ignores it (it relays only `code`, `state` and `error`). */
export const PROBE_QUERY = "probe=1";
/** A missing route answers at once (403, 404); this only bounds a server that does not answer at all. */
export const ROUTE_PROBE_TIMEOUT_MS = 5000;

/**
 * Whether `url` is ls_widget's callback page: a GET without code or state (the page relays nothing then), true only
 * for a 200 that carries the marker. Never rejects.
 * @param {string} url
 * @param {{ fetch?: typeof globalThis.fetch, timeoutMs?: number }} [options]
 * @returns {Promise<boolean>}
 */
export async function probeRoute(url, { fetch = globalThis.fetch, timeoutMs = ROUTE_PROBE_TIMEOUT_MS } = {}) {
  if (typeof fetch !== "function") return false;
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => {
      controller?.abort();
      resolve(false);
    }, timeoutMs);
  });
  const check = (async () => {
    const response = await fetch(`${url}${url.includes("?") ? "&" : "?"}${PROBE_QUERY}`, {
      method: "GET",
      credentials: "same-origin",
      cache: "no-store",
      signal: controller?.signal,
    });
    if (!response.ok) return false;
    if (response.headers.get(MARKER_HEADER) === "1") return true;
    return (await response.text()).includes(MARKER_META);
  })().catch(() => false);
  try {
    return /** @type {boolean} */ (await Promise.race([check, timeout]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @typedef {object} ProbeEntry
 * @property {ProbeState} state
 * @property {Promise<boolean>} done
 */

// Once per page, whichever copy of this module asks: anywidget may load the module once per widget model, so the
// cache hangs off the page's global object rather than off this module.
const PROBES_KEY = Symbol.for("ls-widget.route-probes");

/** @returns {Map<string, ProbeEntry>} */
function probes() {
  const global = /** @type {any} */ (globalThis);
  if (!(global[PROBES_KEY] instanceof Map)) global[PROBES_KEY] = new Map();
  return global[PROBES_KEY];
}

/**
 * What the page knows about the route at `url`; null when nobody asked yet.
 * @param {string} url
 * @returns {ProbeState | null}
 */
export function routeState(url) {
  return probes().get(url)?.state ?? null;
}

/**
 * Probe the route at `url`, once per page: later calls get the same promise.
 * @param {string} url
 * @param {{ fetch?: typeof globalThis.fetch, timeoutMs?: number }} [options]
 * @returns {Promise<boolean>}
 */
export function checkRoute(url, options) {
  const known = probes().get(url);
  if (known) return known.done;
  /** @type {ProbeEntry} */
  const entry = { state: "checking", done: Promise.resolve(false) };
  entry.done = probeRoute(url, options).then((served) => {
    entry.state = served ? "served" : "missing";
    return served;
  });
  probes().set(url, entry);
  return entry.done;
}

/** Forget every probe (tests; a page never needs it). */
export function forgetRouteProbes() {
  probes().clear();
}
