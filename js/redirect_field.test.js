// @vitest-environment happy-dom
// The capture mode the panel ends up using, with the route probe answering, failing or never answering: the
// "Redirect URI" textbox, its explanation, the `redirect_uri` trait and the paste box all follow the mode in use.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { FakeModel, flush } from "./fake_model.js";
import { choose, descriptionOf, mount } from "./test_utils.js";
import { pasteHelp } from "./paste_field.js";
import {
  CHECKING_TEXT,
  MARKER_HEADER,
  NO_ROUTE_TEXT,
  ROUTE_MISSING_WARNING,
  ROUTE_PROBE_TIMEOUT_MS,
  forgetRouteProbes,
} from "./redirect.js";

const BASE = "/user/ana/";
const ROUTE = new URL(`${BASE}ls-widget/oauth/callback`, location.origin).href;
const PASTE = "https://localhost";

/** @type {string[]} the URLs the panel fetched */
let fetched;
/** @type {(url: string) => Promise<Response>} what the server answers */
let answer;

const served = () => Promise.resolve(new Response("<html></html>", { status: 200, headers: { [MARKER_HEADER]: "1" } }));
const notAllowlisted = () => Promise.resolve(new Response("File not allowlisted", { status: 403 }));
const never = () => new Promise(() => {});

beforeEach(() => {
  document.body.replaceChildren();
  forgetRouteProbes();
  const config = document.createElement("script");
  config.id = "jupyter-config-data";
  config.type = "application/json";
  config.textContent = JSON.stringify({ baseUrl: BASE });
  document.head.append(config);
  fetched = [];
  answer = served;
  vi.stubGlobal(
    "fetch",
    vi.fn((/** @type {any} */ url) => {
      fetched.push(String(url));
      return answer(String(url));
    }),
  );
});
afterEach(() => {
  document.getElementById("jupyter-config-data")?.remove();
  forgetRouteProbes();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/**
 * The explicit route's warning, when shown.
 * @param {ReturnType<typeof mount>["screen"]} screen
 */
const routeWarning = (screen) =>
  screen.queryAllByText(ROUTE_MISSING_WARNING).find((node) => !node.closest("[hidden]")) ?? null;

/** @param {ReturnType<typeof mount>["screen"]} screen */
const redirectBox = (screen) => /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Redirect URI" }));

describe("automatic mode probes the Jupyter route once per page", () => {
  test("served: the route, as the trait and in the box; one GET of the callback page", async () => {
    const { model, screen } = mount({ _auth_host_loopback: true });
    // Tentative at render: the route (the usual answer), and the panel says it is checking.
    expect(model.get("redirect_uri")).toBe(ROUTE);
    expect(descriptionOf(redirectBox(screen))).toContain(CHECKING_TEXT);
    await flush();
    expect(fetched).toEqual([`${ROUTE}?probe=1`]);
    expect(model.get("redirect_uri")).toBe(ROUTE);
    expect(redirectBox(screen).value).toBe(ROUTE);
    expect(descriptionOf(redirectBox(screen))).toContain("Picked automatically: the authorization server is local.");
    expect(descriptionOf(redirectBox(screen))).not.toContain(CHECKING_TEXT);
    expect(routeWarning(screen)).toBeNull();
  });

  test("not served (standalone Voila's 403): paste mode, and the panel says why next to the URI", async () => {
    answer = notAllowlisted;
    const { model, screen } = mount({ _auth_host_loopback: true });
    await flush();
    expect(model.get("redirect_uri")).toBe(PASTE);
    expect(model.syncedState().redirect_uri).toBe(PASTE);
    expect(redirectBox(screen).value).toBe(PASTE);
    expect(descriptionOf(redirectBox(screen))).toContain(NO_ROUTE_TEXT);
    expect(NO_ROUTE_TEXT).toContain("register https://localhost");
    // The mode stays "auto": the fallback is the panel's choice, not the analyst's.
    expect(model.get("capture_mode")).toBe("auto");
    // Signing in shows the paste box itself, not the route's folded-away fallback.
    model.pythonSet({ status: "authorizing" });
    expect(screen.getByRole("textbox", { name: "Redirected URL" })).toBeTruthy();
    expect(screen.getByText(pasteHelp(60))).toBeTruthy();
  });

  test("no answer: paste mode once the probe times out", async () => {
    vi.useFakeTimers();
    answer = never;
    const { model, screen } = mount({ _auth_host_loopback: true });
    await vi.advanceTimersByTimeAsync(ROUTE_PROBE_TIMEOUT_MS - 100);
    expect(model.get("redirect_uri")).toBe(ROUTE);
    expect(descriptionOf(redirectBox(screen))).toContain(CHECKING_TEXT);
    await vi.advanceTimersByTimeAsync(100);
    expect(model.get("redirect_uri")).toBe(PASTE);
    expect(descriptionOf(redirectBox(screen))).toContain(NO_ROUTE_TEXT);
  });

  test("a sign-in started while the probe runs gets the paste box when the route turns out missing", async () => {
    /** @type {(response: Response) => void} */
    let respond = () => {};
    answer = () => new Promise((resolve) => (respond = resolve));
    const { model, screen, el } = mount({ _auth_host_loopback: true });
    model.pythonSet({ status: "authorizing" });
    expect(el.querySelector("details.ls-paste-fallback")).not.toBeNull(); // the route's layout, for now
    respond(new Response("Not found", { status: 404 }));
    await flush();
    expect(el.querySelector("details.ls-paste-fallback")).toBeNull();
    expect(screen.getByText(pasteHelp(60))).toBeTruthy();
  });

  test("several panels and views on the page: still one probe", async () => {
    const first = mount({ _auth_host_loopback: true });
    mount({}, first.model);
    mount({ _auth_host_loopback: true });
    await flush();
    const late = mount({ _auth_host_loopback: true });
    // Known already: the late panel draws the final answer at once, without checking again.
    expect(late.model.get("redirect_uri")).toBe(ROUTE);
    expect(descriptionOf(redirectBox(late.screen))).not.toContain(CHECKING_TEXT);
    expect(fetched).toHaveLength(1);
  });

  test("no probe when the mode needs no route: paste chosen, or plain http with a remote authorization server", async () => {
    mount({ capture_mode: "paste", _auth_host_loopback: true });
    const { model } = mount({ _auth_host_loopback: false });
    await flush();
    expect(fetched).toEqual([]);
    expect(model.get("redirect_uri")).toBe(PASTE);
  });

  test("a removed view does not write the answer", async () => {
    answer = notAllowlisted;
    const model = new FakeModel({ _auth_host_loopback: true });
    const { cleanup } = mount({}, model);
    cleanup();
    await flush();
    expect(model.get("redirect_uri")).toBe(ROUTE);
  });
});

describe("the Jupyter route chosen explicitly", () => {
  test("served: no warning", async () => {
    const { model, screen } = mount({ capture_mode: "jupyter" });
    await flush();
    expect(model.get("redirect_uri")).toBe(ROUTE);
    expect(routeWarning(screen)).toBeNull();
  });

  test("not served: the route stays, with a clear warning instead of a silent switch", async () => {
    answer = notAllowlisted;
    const { model, screen } = mount({ capture_mode: "jupyter" });
    await flush();
    expect(model.get("capture_mode")).toBe("jupyter");
    expect(model.get("redirect_uri")).toBe(ROUTE);
    expect(redirectBox(screen).value).toBe(ROUTE);
    expect(routeWarning(screen)).not.toBeNull();
    expect(descriptionOf(redirectBox(screen))).toContain(ROUTE_MISSING_WARNING);
    expect(descriptionOf(screen.getByRole("combobox", { name: "Redirect capture" }))).toContain(ROUTE_MISSING_WARNING);
    // Choosing paste in the panel clears it; automatic falls back to paste with the explanation.
    const capture = /** @type {HTMLSelectElement} */ (screen.getByRole("combobox", { name: "Redirect capture" }));
    choose(capture, "paste");
    expect(model.get("redirect_uri")).toBe(PASTE);
    expect(routeWarning(screen)).toBeNull();
    model.pythonSet({ _auth_host_loopback: true });
    choose(capture, "auto");
    expect(model.get("redirect_uri")).toBe(PASTE);
    expect(descriptionOf(redirectBox(screen))).toContain(NO_ROUTE_TEXT);
    expect(fetched).toHaveLength(1);
  });
});

describe("looks", () => {
  test("the Redirect URI reads as read-only text, and Redirect capture is a control like the others", () => {
    const { screen } = mount({});
    const uri = /** @type {HTMLInputElement} */ (screen.getByRole("textbox", { name: "Redirect URI" }));
    expect(uri.readOnly).toBe(true);
    expect(uri.classList.contains("ls-input--readonly")).toBe(true);
    screen.getByRole("button", { name: "Copy redirect URI" });
    const capture = screen.getByRole("combobox", { name: "Redirect capture" });
    const apiType = screen.getByRole("combobox", { name: "API type" });
    expect(capture.className).toBe(apiType.className.replace(/\s*ls-select--\S+/g, ""));
  });
});
