// @vitest-environment happy-dom
// Redirect URI computation in each mode.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import * as GENERATED from "./constants.js";
import {
  CALLBACK_PATH,
  CHECKING_TEXT,
  CHOSEN_MISSING_TEXT,
  MARKER_HEADER,
  MARKER_META,
  NO_ROUTE_TEXT,
  PASTE_REDIRECT_URI,
  ROUTE_PROBE_TIMEOUT_MS,
  callbackUrl,
  checkRoute,
  describePlan,
  forgetRouteProbes,
  jupyterBaseUrl,
  planRedirect,
  probeRoute,
  routeState,
} from "./redirect.js";

/** @param {string} html */
function page(html) {
  return new DOMParser().parseFromString(html, "text/html");
}

const HTTPS = { protocol: "https:", origin: "https://hub.example.org" };
const HTTP = { protocol: "http:", origin: "http://127.0.0.1:8888" };

describe("jupyterBaseUrl", () => {
  test("reads baseUrl from jupyter-config-data (JupyterLab, Notebook 7)", () => {
    const doc = page('<script id="jupyter-config-data" type="application/json">{"baseUrl": "/user/ana/"}</script>');
    expect(jupyterBaseUrl(doc)).toBe("/user/ana/");
  });
  test("adds the trailing slash and defaults to /", () => {
    expect(jupyterBaseUrl(page('<script id="jupyter-config-data">{"baseUrl": "/lab-base"}</script>'))).toBe("/lab-base/");
    expect(jupyterBaseUrl(page('<script id="jupyter-config-data">{}</script>'))).toBe("/");
    expect(jupyterBaseUrl(page('<script id="jupyter-config-data">not json</script>'))).toBe("/");
  });
  test("classic notebook: body[data-base-url]", () => {
    expect(jupyterBaseUrl(page('<body data-base-url="/classic/"></body>'))).toBe("/classic/");
  });
  test("null off a Jupyter page", () => {
    expect(jupyterBaseUrl(page("<p>VS Code</p>"))).toBeNull();
  });
});

describe("planRedirect", () => {
  test("auto on an HTTPS Jupyter page whose server serves the route: the route under the base URL", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: false, location: HTTPS, baseUrl: "/user/ana/", route: "served" });
    expect(plan).toEqual({
      mode: "jupyter",
      reason: "https",
      uri: "https://hub.example.org/user/ana/ls-widget/oauth/callback",
      https: true,
      route: "served",
      probe: null,
    });
  });

  test("auto on http with a loopback authorization server (the sandbox): the server route, not HTTPS", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/", route: "served" });
    expect(plan).toEqual({
      mode: "jupyter",
      reason: "loopback",
      uri: "http://127.0.0.1:8888/ls-widget/oauth/callback",
      https: false,
      route: "served",
      probe: null,
    });
  });

  test("auto, route not probed yet: the route, tentatively, and the address to probe", () => {
    const route = "https://hub.example.org/user/ana/ls-widget/oauth/callback";
    for (const state of [null, "checking"]) {
      const plan = planRedirect({ captureMode: "auto", loopback: false, location: HTTPS, baseUrl: "/user/ana/", route: /** @type {any} */ (state) });
      expect(plan).toMatchObject({ mode: "jupyter", reason: "https", uri: route, route: "checking", probe: route });
    }
  });

  test("auto where the server does not serve the route (Voila, extension disabled): paste, saying why", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/", route: "missing" });
    expect(plan).toEqual({ mode: "paste", reason: "no-route", uri: PASTE_REDIRECT_URI, https: true, route: "missing", probe: null });
    expect(describePlan(plan)).toMatch(
      /^This Jupyter server does not serve ls_widget's sign-in page, so you'll paste the address instead: register https:\/\/localhost\. After you approve access/,
    );
  });

  test("auto on plain http with a real authorization server: paste, no probe needed", () => {
    for (const route of [null, "served", "missing"]) {
      const plan = planRedirect({ captureMode: "auto", loopback: false, location: HTTP, baseUrl: "/", route: /** @type {any} */ (route) });
      expect(plan).toEqual({ mode: "paste", reason: "not-https", uri: PASTE_REDIRECT_URI, https: true, route: "unneeded", probe: null });
    }
    expect(PASTE_REDIRECT_URI).toBe("https://localhost");
  });

  test("the Jupyter route chosen explicitly: kept whatever the probe says (the panel warns instead)", () => {
    const uri = "http://127.0.0.1:8888/ls-widget/oauth/callback";
    expect(planRedirect({ captureMode: "jupyter", loopback: false, location: HTTP, baseUrl: "/" })).toMatchObject({
      mode: "jupyter", uri, route: "checking", probe: uri,
    });
    expect(planRedirect({ captureMode: "jupyter", loopback: false, location: HTTP, baseUrl: "/", route: "missing" })).toMatchObject({
      mode: "jupyter", reason: "chosen", uri, route: "missing", probe: null,
    });
    // Off a Jupyter page there is nothing to probe: the route is missing.
    expect(planRedirect({ captureMode: "jupyter", loopback: false, location: HTTP, baseUrl: null })).toMatchObject({
      mode: "jupyter", route: "missing", probe: null,
    });
  });

  test("paste chosen explicitly: no probe", () => {
    expect(planRedirect({ captureMode: "paste", loopback: true, location: HTTP, baseUrl: "/" })).toMatchObject({
      mode: "paste", route: "unneeded", probe: null,
    });
  });

  test("auto off a Jupyter server page (VS Code, Colab): paste even over HTTPS", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: true, location: HTTPS, baseUrl: null });
    expect(plan.mode).toBe("paste");
    expect(plan.reason).toBe("not-jupyter");
  });

  test("an explicit mode wins", () => {
    expect(planRedirect({ captureMode: "paste", loopback: true, location: HTTPS, baseUrl: "/" })).toMatchObject({
      mode: "paste",
      reason: "chosen",
      uri: "https://localhost",
    });
    expect(planRedirect({ captureMode: "jupyter", loopback: false, location: HTTP, baseUrl: null })).toMatchObject({
      mode: "jupyter",
      reason: "chosen",
      uri: "http://127.0.0.1:8888/ls-widget/oauth/callback",
      https: false,
    });
  });

  test("a null origin cannot host the route", () => {
    expect(planRedirect({ captureMode: "auto", loopback: true, location: { protocol: "https:", origin: "null" }, baseUrl: "/" }).mode).toBe("paste");
    expect(callbackUrl("/", "null")).toBe(PASTE_REDIRECT_URI);
  });
});

describe("constants from Python", () => {
  test("the route and its marks are the generated ones (ls_widget.capture via scripts/panel_fixture.py)", () => {
    expect(CALLBACK_PATH).toBe(GENERATED.CALLBACK_PATH);
    expect(MARKER_HEADER).toBe(GENERATED.MARKER_HEADER);
    expect(MARKER_META).toBe(GENERATED.MARKER_META);
    expect(callbackUrl("/hub/user/a/", "https://hub.example")).toBe(`https://hub.example/hub/user/a/${GENERATED.CALLBACK_PATH}`);
  });
});

describe("describePlan", () => {
  test("says how and why", () => {
    const paste = planRedirect({ captureMode: "auto", loopback: false, location: HTTP, baseUrl: "/" });
    expect(describePlan(paste, 60)).toMatch(/^Picked automatically: this page is not served over HTTPS\. .*within 60 seconds\.$/);
    // The API type's lifetime, as the catalog gives it; without one, no number rather than a wrong one.
    expect(describePlan(paste, 30)).toMatch(/within 30 seconds\.$/);
    expect(describePlan(paste)).not.toMatch(/\d+ seconds/);
    expect(describePlan(paste)).toMatch(/the code expires quickly/);
    const chosen = planRedirect({ captureMode: "jupyter", loopback: false, location: HTTPS, baseUrl: "/" });
    expect(describePlan(chosen)).toMatch(/^The Jupyter server catches/);
    const served = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/", route: "served" });
    expect(describePlan(served)).toMatch(/^Picked automatically: the authorization server is local\. The Jupyter server catches/);
  });

  test("while the probe runs in automatic mode, says it is checking", () => {
    const checking = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/" });
    expect(describePlan(checking)).toBe(CHECKING_TEXT);
    const missing = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/", route: "missing" });
    expect(describePlan(missing).startsWith(NO_ROUTE_TEXT)).toBe(true);
  });

  test("the route chosen by hand but not answering: the hint does not promise it works", () => {
    const chosen = planRedirect({ captureMode: "jupyter", loopback: true, location: HTTP, baseUrl: "/", route: "missing" });
    expect(describePlan(chosen)).toBe(CHOSEN_MISSING_TEXT);
    expect(describePlan(chosen)).not.toMatch(/catches/);
  });
});

// --------------------------------------------------------------------------------------------------------------
// The probe
// --------------------------------------------------------------------------------------------------------------
const ROUTE = "http://127.0.0.1:8888/ls-test/ls-widget/oauth/callback";

/**
 * A fetch that answers every request with one response, and records what it was asked.
 * @param {() => Response | Promise<Response>} answer
 */
function fakeFetch(answer) {
  /** @type {{ url: string, init: RequestInit | undefined }[]} */
  const calls = [];
  const fetch = /** @type {typeof globalThis.fetch & { calls: typeof calls }} */ (
    Object.assign(
      /**
       * @param {any} url
       * @param {RequestInit} [init]
       */
      async (url, init) => {
        calls.push({ url: String(url), init });
        return answer();
      },
      { calls },
    )
  );
  return fetch;
}

const markedPage = () => new Response(`<html><head>${MARKER_META}</head></html>`, { status: 200, headers: { [MARKER_HEADER]: "1" } });

describe("probeRoute", () => {
  test("a same-origin GET of the callback page with ?probe=1, not cached", async () => {
    const fetch = fakeFetch(markedPage);
    expect(await probeRoute(ROUTE, { fetch })).toBe(true);
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0].url).toBe(`${ROUTE}?probe=1`);
    expect(fetch.calls[0].init).toMatchObject({ method: "GET", credentials: "same-origin", cache: "no-store" });
  });

  test.each([
    ["the marker header", () => new Response("<html></html>", { status: 200, headers: { [MARKER_HEADER]: "1" } }), true],
    ["the marker tag (a proxy dropped the header)", () => new Response(`<head>${MARKER_META}</head>`, { status: 200 }), true],
    ["a 200 without a marker (some other page)", () => new Response("<html>Voila</html>", { status: 200 }), false],
    ["Voila's 403 File not allowlisted", () => new Response("File not allowlisted", { status: 403 }), false],
    ["a 404 (extension disabled)", () => new Response("Not found", { status: 404 }), false],
    ["a marker on an error page", () => new Response(MARKER_META, { status: 500, headers: { [MARKER_HEADER]: "1" } }), false],
  ])("%s", async (_what, answer, served) => {
    expect(await probeRoute(ROUTE, { fetch: fakeFetch(answer) })).toBe(served);
  });

  test("a network error: missing, never a rejection", async () => {
    const fetch = fakeFetch(() => Promise.reject(new TypeError("Failed to fetch")));
    expect(await probeRoute(ROUTE, { fetch })).toBe(false);
  });

  test("no answer within the timeout: missing, and the request is aborted", async () => {
    vi.useFakeTimers();
    try {
      /** @type {AbortSignal | undefined} */
      let signal;
      const fetch = /** @type {typeof globalThis.fetch} */ (
        /** @type {unknown} */ ((/** @type {any} */ _url, /** @type {RequestInit} */ init) => {
          signal = init.signal ?? undefined;
          return new Promise(() => {}); // a server that never answers
        })
      );
      const result = probeRoute(ROUTE, { fetch });
      await vi.advanceTimersByTimeAsync(ROUTE_PROBE_TIMEOUT_MS - 1);
      expect(signal?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toBe(false);
      expect(signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("checkRoute: once per page", () => {
  beforeEach(() => forgetRouteProbes());
  afterEach(() => forgetRouteProbes());

  test("one request for any number of askers; the state is known synchronously afterwards", async () => {
    const fetch = fakeFetch(markedPage);
    expect(routeState(ROUTE)).toBeNull();
    const first = checkRoute(ROUTE, { fetch });
    expect(routeState(ROUTE)).toBe("checking");
    const second = checkRoute(ROUTE, { fetch });
    expect(second).toBe(first);
    expect(await first).toBe(true);
    expect(routeState(ROUTE)).toBe("served");
    await checkRoute(ROUTE, { fetch });
    expect(fetch.calls).toHaveLength(1);
  });

  test("a failed probe is remembered too", async () => {
    const fetch = fakeFetch(() => new Response("File not allowlisted", { status: 403 }));
    expect(await checkRoute(ROUTE, { fetch })).toBe(false);
    expect(routeState(ROUTE)).toBe("missing");
    expect(await checkRoute(ROUTE, { fetch })).toBe(false);
    expect(fetch.calls).toHaveLength(1);
  });

  test("shared by every copy of the module on the page (the cache lives on the global object)", async () => {
    const fetch = fakeFetch(markedPage);
    await checkRoute(ROUTE, { fetch });
    vi.resetModules();
    const copy = "./redirect.js?copy"; // a query makes the module loader build a second instance
    const fresh = /** @type {typeof import("./redirect.js")} */ (await import(/* @vite-ignore */ copy));
    expect(fresh.routeState).not.toBe(routeState); // really another copy
    expect(fresh.routeState(ROUTE)).toBe("served");
  });
});
