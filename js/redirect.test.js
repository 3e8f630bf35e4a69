// @vitest-environment happy-dom
// Redirect URI computation in each mode.

import { describe, expect, test } from "vitest";
import { callbackUrl, describePlan, jupyterBaseUrl, planRedirect, PASTE_REDIRECT_URI } from "./redirect.js";

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
  test("auto on an HTTPS Jupyter page: the server route under the base URL", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: false, location: HTTPS, baseUrl: "/user/ana/" });
    expect(plan).toEqual({
      mode: "jupyter",
      reason: "https",
      uri: "https://hub.example.org/user/ana/ls-widget/oauth/callback",
      https: true,
    });
  });

  test("auto on http with a loopback authorization server (the sandbox): the server route, not HTTPS", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: true, location: HTTP, baseUrl: "/" });
    expect(plan).toEqual({ mode: "jupyter", reason: "loopback", uri: "http://127.0.0.1:8888/ls-widget/oauth/callback", https: false });
  });

  test("auto on plain http with a real authorization server: paste", () => {
    const plan = planRedirect({ captureMode: "auto", loopback: false, location: HTTP, baseUrl: "/" });
    expect(plan).toEqual({ mode: "paste", reason: "not-https", uri: PASTE_REDIRECT_URI, https: true });
    expect(PASTE_REDIRECT_URI).toBe("https://localhost");
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

describe("describePlan", () => {
  test("says how and why", () => {
    const paste = planRedirect({ captureMode: "auto", loopback: false, location: HTTP, baseUrl: "/" });
    expect(describePlan(paste)).toMatch(/^Picked automatically: this page is not served over HTTPS\. .*60 seconds/);
    const chosen = planRedirect({ captureMode: "jupyter", loopback: false, location: HTTPS, baseUrl: "/" });
    expect(describePlan(chosen)).toMatch(/^The Jupyter server catches/);
  });
});
