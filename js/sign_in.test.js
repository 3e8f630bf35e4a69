// @vitest-environment happy-dom
// The sign-in from the panel: the window opened inside the click, Lightspeed's address, a blocked window, the
// Jupyter route's relay (origin, source and state checks, once per state), the window watch, and cleanup.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { FakeModel, flush, readyForm } from "./fake_model.js";
import { installBrowserFakes } from "./fake_browser.js";
import { mount } from "./test_utils.js";
import { OPENING_TEXT } from "./popup.js";
import { ACK_TYPE, CHANNEL_NAME, REDIRECT_TYPE } from "./relay.js";
import { ANSWERED_TEXT, BLOCKED_TEXT, CLOSED_EARLY_TEXT, POPUP_CLOSED_TEXT, SIGN_IN_TEXT, SLOW_TEXT, stateOf } from "./sign_in.js";

const READY = readyForm("jupyter");
const AUTHORIZE = "https://cloud.lightspeedapp.com/auth/oauth/authorize?response_type=code&client_id=abc";
/** @param {string} state */
const authorizeUrl = (state) => `${AUTHORIZE}&scope=employee%3Ainventory_read&state=${state}&code_challenge=x`;

/** @type {ReturnType<typeof installBrowserFakes>} */
let fakes;
beforeEach(() => {
  document.body.replaceChildren();
  fakes = installBrowserFakes(window);
});
afterEach(() => {
  fakes.restore();
  vi.useRealTimers();
});

/**
 * Mount a ready panel, click "Save and authorize", and play Python's answer.
 * @param {{ state?: string | null, model?: FakeModel, capture_mode?: "jupyter" | "paste" }} [options]
 */
async function signIn({ state = "state-A", model, capture_mode = "jupyter" } = {}) {
  const view = mount({ ...READY, capture_mode }, model);
  view.screen.getByRole("button", { name: "Save and authorize" }).click();
  const popup = fakes.popup;
  if (state) {
    view.model.pythonSet({ status: "authorizing" });
    await view.model.reply("authorize", { url: authorizeUrl(state) });
  }
  return { ...view, popup };
}

/** @param {import("./fake_model.js").FakeModel} model */
const redirects = (model) => model.sent.filter((m) => m.type === "redirect");
/** @param {string} state */
const relayed = (state, extra = {}) => ({ type: REDIRECT_TYPE, code: "the-code", state, error: null, error_description: null, ...extra });
/**
 * @param {any} data
 * @param {{ origin?: string, source?: any }} [init]
 */
const postToWindow = (data, { origin = location.origin, source = fakes.popup } = {}) =>
  window.dispatchEvent(new MessageEvent("message", { data, origin, source }));

describe("Save and authorize opens the sign-in window", () => {
  test("inside the click, before anything is sent, then sends authorize", () => {
    const model = new FakeModel({ ...READY });
    /** @type {any[] | null} */
    let sentWhenOpened = null;
    fakes.onOpen = () => (sentWhenOpened = model.sent.filter((m) => m.type === "authorize"));
    const { screen } = mount({}, model);
    screen.getByRole("button", { name: "Save and authorize" }).click();
    expect(fakes.opens).toHaveLength(1);
    const [{ url, name, features }] = fakes.opens;
    expect(url).toBe("");
    expect(name).toMatch(/^ls-widget-oauth-\S+$/);
    expect(features).toBe("popup,width=520,height=720");
    expect(sentWhenOpened).toEqual([]);
    expect(model.requests("authorize")).toEqual([{ type: "authorize", id: expect.any(String) }]);
    // The blank window says what is happening.
    expect(fakes.popup?.document.title).toBe(OPENING_TEXT);
    expect(fakes.popup?.document.body.textContent).toContain(OPENING_TEXT);
  });

  test("not when the panel's checks fail", () => {
    const { screen, model } = mount();
    screen.getByRole("button", { name: "Save and authorize" }).click();
    expect(fakes.opens).toHaveLength(0);
    expect(model.sent.filter((m) => m.type === "authorize")).toHaveLength(0);
  });

  test("two views get two different window names", () => {
    const a = mount({ ...READY });
    const b = mount({ ...READY });
    a.screen.getByRole("button", { name: "Save and authorize" }).click();
    b.screen.getByRole("button", { name: "Save and authorize" }).click();
    expect(fakes.opens[0].name).not.toBe(fakes.opens[1].name);
  });

  test("authorize_url points the window at Lightspeed", async () => {
    const { popup, screen } = await signIn();
    expect(popup?.location.href).toBe(authorizeUrl("state-A"));
    expect(screen.getByRole("status").textContent).toContain(SIGN_IN_TEXT);
    expect(stateOf(authorizeUrl("state-A"))).toBe("state-A");
  });

  test("authorize_failed closes the window; the error shows through the error trait", async () => {
    const { model, popup, screen } = await signIn({ state: null });
    model.pythonSet({ status: "error", error: "No OAuth 2.0 client named 'Reporting' is stored." });
    await model.reply("authorize", { ok: false, error: "No OAuth 2.0 client named 'Reporting' is stored." });
    expect(popup?.closed).toBe(true);
    expect(screen.getByRole("status").textContent).toContain("No OAuth 2.0 client named 'Reporting'");
  });

  test("Python refusing the form (field errors, no answer message) closes the window", async () => {
    const { model, popup } = await signIn({ state: null });
    model.pythonSet({ _field_errors: { oauth_client: "The OAuth 2.0 client 'Reporting' is no longer stored: add it again." } });
    expect(popup?.closed).toBe(true);
  });

  test("a busy kernel: after a while without the address, the panel says why", async () => {
    vi.useFakeTimers();
    const { screen, model } = await signIn({ state: null });
    vi.advanceTimersByTime(8000);
    expect(screen.getByRole("status").textContent).toContain(SLOW_TEXT);
    await model.reply("authorize", { url: authorizeUrl("late") });
    expect(screen.getByRole("status").textContent).not.toContain(SLOW_TEXT);
    expect(fakes.popup?.location.href).toBe(authorizeUrl("late"));
  });

  test("another view of the same model ignores the address it did not ask for", async () => {
    const model = new FakeModel({ ...READY });
    const other = mount({}, model);
    const { popup } = await signIn({ model });
    expect(popup?.location.href).toBe(authorizeUrl("state-A"));
    expect(fakes.opens).toHaveLength(1);
    expect(other.screen.queryByRole("link", { name: "Open the Lightspeed sign-in" })).toBeNull();
  });
});

describe("a blocked window", () => {
  test("the status says so and a link offers the sign-in once the address arrives", async () => {
    fakes.blocked = true;
    const { screen, model } = await signIn({ state: null });
    expect(model.requests("authorize")).toHaveLength(1);
    expect(screen.getByRole("status").textContent).toContain(BLOCKED_TEXT);
    expect(screen.queryByRole("link", { name: "Open the Lightspeed sign-in" })).toBeNull();
    model.pythonSet({ status: "authorizing" });
    await model.reply("authorize", { url: authorizeUrl("state-B") });
    const link = /** @type {HTMLAnchorElement} */ (screen.getByRole("link", { name: "Open the Lightspeed sign-in" }));
    expect(link.href).toBe(authorizeUrl("state-B"));
    expect(link.target).toBe("_blank");
    expect(link.rel.split(" ")).toContain("noopener");
    expect(link.hasAttribute("data-lm-suppress-shortcuts")).toBe(true);
    expect(screen.getByRole("status").textContent).toContain(BLOCKED_TEXT);
    // The link opens a tab without an opener: the result comes on the channel, and is taken.
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-B"));
    expect(redirects(model)).toHaveLength(1);
    model.pythonSet({ status: "connected" });
    expect(screen.queryByRole("link", { name: "Open the Lightspeed sign-in" })).toBeNull();
  });
});

describe("the Jupyter route's relay", () => {
  test.each([
    ["a wrong state, on the channel", () => fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-other"))],
    ["a wrong state, by postMessage", () => postToWindow(relayed("state-other"))],
    ["a wrong origin", () => postToWindow(relayed("state-A"), { origin: "https://evil.example" })],
    ["a wrong source", () => postToWindow(relayed("state-A"), { source: window })],
    ["another message type", () => postToWindow({ ...relayed("state-A"), type: "something-else" })],
    ["an acknowledgement", () => fakes.channels.postFromPage(CHANNEL_NAME, { ...relayed("state-A"), type: ACK_TYPE })],
    ["not an object", () => postToWindow("state-A")],
    ["no state", () => fakes.channels.postFromPage(CHANNEL_NAME, relayed(""))],
  ])("%s: ignored", async (_what, post) => {
    const { model, popup } = await signIn();
    post();
    expect(redirects(model)).toHaveLength(0);
    expect(popup?.closed).toBe(false);
    expect(fakes.channels.posted).toHaveLength(0);
  });

  test("the right one: exactly one redirect (channel + postMessage), acknowledged, window closed", async () => {
    const { model, popup, screen } = await signIn();
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-A"));
    postToWindow(relayed("state-A"));
    expect(redirects(model)).toEqual([
      { type: "redirect", code: "the-code", state: "state-A", error: null, error_description: null },
    ]);
    expect(fakes.channels.posted).toEqual([{ name: CHANNEL_NAME, data: { type: ACK_TYPE, state: "state-A" } }]);
    expect(popup?.closed).toBe(true);
    expect(screen.getByRole("status").textContent).toContain(ANSWERED_TEXT);
    // Never through the model: nothing about the code was synced.
    expect(JSON.stringify(model.saved)).not.toContain("the-code");
    model.pythonSet({ status: "connected", account_name: "Downtown", account_id: "12345" });
    expect(screen.getByRole("status").textContent).toBe("Connected to Downtown (12345)");
  });

  test("by postMessage first: acknowledged on the channel and back to the sending window", async () => {
    const { model, popup } = await signIn();
    postToWindow(relayed("state-A", { code: null, error: "access_denied", error_description: "The user denied." }));
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-A"));
    expect(redirects(model)).toEqual([
      { type: "redirect", code: null, state: "state-A", error: "access_denied", error_description: "The user denied." },
    ]);
    expect(popup?.posted).toEqual([{ data: { type: ACK_TYPE, state: "state-A" }, targetOrigin: location.origin }]);
    expect(fakes.channels.posted.map((p) => p.data)).toEqual([{ type: ACK_TYPE, state: "state-A" }]);
  });

  test("a severed handle (COOP): the origin and state still decide", async () => {
    const { model, popup } = await signIn();
    popup?.sever();
    postToWindow(relayed("state-A"), { source: window });
    expect(redirects(model)).toHaveLength(1);
  });

  test("several panels: each takes only its own sign-in", async () => {
    const a = await signIn({ state: "state-A" });
    const b = await signIn({ state: "state-B" });
    expect(a.popup).not.toBe(b.popup);
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-B"));
    expect(redirects(a.model)).toHaveLength(0);
    expect(redirects(b.model)).toHaveLength(1);
    expect(a.popup?.closed).toBe(false);
    expect(b.popup?.closed).toBe(true);
  });

  test("while authorizing, Save and authorize is disabled and Cancel sign-in is the way out", async () => {
    const { model, popup, screen } = await signIn({ state: "first" });
    const save = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Save and authorize" }));
    expect(save.disabled).toBe(true);
    const cancel = screen.getByRole("button", { name: "Cancel sign-in" });
    cancel.click();
    expect(popup?.closed).toBe(true);
    expect(model.sent.filter((m) => m.type === "cancel")).toEqual([{ type: "cancel" }]);
    // Back to the form at once, even before (or without) Python's answer to "cancel".
    expect(save.disabled).toBe(false);
    expect(screen.queryByRole("button", { name: "Cancel sign-in" })).toBeNull();
    expect(screen.getByRole("status").textContent).toContain("Not connected yet");
    // A result of the cancelled sign-in is not taken.
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("first"));
    expect(redirects(model)).toHaveLength(0);
  });

  test("after a cancel, a new click starts a fresh sign-in; the old state is refused", async () => {
    const { model, screen } = await signIn({ state: "first" });
    screen.getByRole("button", { name: "Cancel sign-in" }).click();
    const save = /** @type {HTMLButtonElement} */ (screen.getByRole("button", { name: "Save and authorize" }));
    save.click();
    expect(fakes.opens).toHaveLength(2);
    expect(model.requests("authorize")).toHaveLength(2);
    // Python still says "authorizing" (it never left it): busy again.
    expect(save.disabled).toBe(true);
    await model.reply("authorize", { url: authorizeUrl("second") });
    expect(fakes.popup?.location.href).toBe(authorizeUrl("second"));
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("first"));
    expect(redirects(model)).toHaveLength(0);
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("second"));
    expect(redirects(model).map((m) => m.state)).toEqual(["second"]);
  });

  test("two quick clicks: only the answer to the second click's request counts", async () => {
    const { screen, model } = mount({ ...READY });
    const button = screen.getByRole("button", { name: "Save and authorize" });
    button.click();
    button.click();
    const [first, second] = model.requests("authorize");
    expect(first.id).not.toBe(second.id);
    model.pythonSend({ type: "authorize_reply", id: first.id, ok: true, url: authorizeUrl("stale") });
    await flush();
    expect(fakes.popup?.location.href).toBe("about:blank");
    model.pythonSend({ type: "authorize_reply", id: second.id, ok: true, url: authorizeUrl("fresh") });
    await flush();
    expect(fakes.popup?.location.href).toBe(authorizeUrl("fresh"));
  });

  test("a host that will not send authorize: the blank window closes and the console says why", async () => {
    const { screen, model } = mount({ ...READY });
    const send = model.send.bind(model);
    model.send = (/** @type {any} */ content) => {
      if (content?.type === "authorize") throw new Error("no comm");
      send(content);
    };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    screen.getByRole("button", { name: "Save and authorize" }).click();
    const popup = fakes.popup;
    expect(popup?.closed).toBe(false);
    await flush();
    expect(popup?.closed).toBe(true);
    expect(logged).toHaveBeenCalledOnce();
    expect(String(logged.mock.calls[0][0])).toContain("asking Python to start the sign-in");
    logged.mockRestore();
  });

  test("a result after the attempt ended (connected by another way) is ignored", async () => {
    const { model, popup } = await signIn();
    model.pythonSet({ status: "connected" });
    expect(popup?.closed).toBe(true);
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-A"));
    expect(redirects(model)).toHaveLength(0);
  });
});

describe("watching the sign-in window", () => {
  test("closed while authorizing: a notice, not an error; the result may still come", async () => {
    vi.useFakeTimers();
    const { model, popup, screen } = await signIn();
    vi.advanceTimersByTime(1500);
    expect(screen.getByRole("status").textContent).not.toContain(POPUP_CLOSED_TEXT);
    popup?.sever();
    vi.advanceTimersByTime(500);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain(POPUP_CLOSED_TEXT);
    expect(status.querySelector(".ls-status-line--error")).toBeNull();
    expect(model.get("status")).toBe("authorizing");
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-A"));
    expect(redirects(model)).toHaveLength(1);
    expect(status.textContent).not.toContain(POPUP_CLOSED_TEXT);
  });

  test("closed before the address came: the link offers the sign-in instead", async () => {
    vi.useFakeTimers();
    const { model, popup, screen } = await signIn({ state: null });
    popup?.close();
    vi.advanceTimersByTime(500);
    expect(screen.getByRole("status").textContent).not.toContain(POPUP_CLOSED_TEXT);
    model.pythonSet({ status: "authorizing" });
    await model.reply("authorize", { url: authorizeUrl("state-C") });
    expect(popup?.location.href).toBe("about:blank");
    expect(screen.getByRole("status").textContent).toContain(CLOSED_EARLY_TEXT);
    const link = /** @type {HTMLAnchorElement} */ (screen.getByRole("link", { name: "Open the Lightspeed sign-in" }));
    expect(link.href).toBe(authorizeUrl("state-C"));
  });

  test("no notice once the result went to Python", async () => {
    vi.useFakeTimers();
    const { popup, screen } = await signIn();
    fakes.channels.postFromPage(CHANNEL_NAME, relayed("state-A"));
    expect(popup?.closed).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(screen.getByRole("status").textContent).not.toContain(POPUP_CLOSED_TEXT);
  });
});

describe("cleanup", () => {
  test("closes the channel, removes window listeners, stops every timer", async () => {
    vi.useFakeTimers();
    const { model, cleanup, popup } = await signIn({ capture_mode: "paste" });
    expect(fakes.channels.open.size).toBe(1);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    cleanup();
    expect(fakes.channels.open.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Nothing listens any more: a relayed result or a window focus does nothing, and throws nothing.
    postToWindow(relayed("state-A"));
    window.dispatchEvent(new Event("focus"));
    expect(redirects(model)).toHaveLength(0);
    expect(model.listenerCount()).toBe(0);
    // The sign-in window is left alone: the analyst may be halfway through, and the callback page can still hand
    // its address over by hand.
    expect(popup?.closed).toBe(false);
  });
});
