// Test support (not bundled): the browser parts of the sign-in that a DOM emulation does not play faithfully. A
// sign-in window handle as `window.open` returns it, and BroadcastChannel instances that hear one another, with a
// way to post as the Jupyter callback page does. Kept free of vitest, like fake_model.js.

/** A window handle as the opener sees it. `sever()` plays a Cross-Origin-Opener-Policy cutting the handle. */
export class FakePopup {
  constructor() {
    this.closed = false;
    /** @type {Document} the initial about:blank document the panel writes into */
    this.document = document.implementation.createHTMLDocument("");
    this.location = { href: "about:blank" };
    /** @type {{ data: any, targetOrigin: string }[]} */
    this.posted = [];
    this.focusCount = 0;
  }

  close() {
    this.closed = true;
  }

  focus() {
    this.focusCount += 1;
  }

  /**
   * @param {any} data
   * @param {string} targetOrigin
   */
  postMessage(data, targetOrigin) {
    this.posted.push({ data: structuredClone(data), targetOrigin });
  }

  /** The provider page's COOP cut the handle: it reads closed although the window is still open. */
  sever() {
    this.closed = true;
  }
}

/**
 * A set of BroadcastChannel stand-ins sharing one "origin". Install `Channel` as the global BroadcastChannel.
 * Delivery is synchronous (real channels deliver in a task), which keeps the tests free of waiting.
 */
export function fakeBroadcastChannels() {
  /** @type {Set<FakeBroadcastChannel>} */
  const open = new Set();
  /** @type {{ name: string, data: any }[]} every message a channel object posted */
  const posted = [];
  let created = 0;

  /**
   * @param {string} name
   * @param {any} data
   * @param {FakeBroadcastChannel | null} sender  not delivered to itself, as with the real thing
   */
  const deliver = (name, data, sender) => {
    for (const channel of [...open]) {
      if (channel !== sender && channel.name === name) {
        channel.dispatchEvent(new MessageEvent("message", { data: structuredClone(data) }));
      }
    }
  };

  class FakeBroadcastChannel extends EventTarget {
    /** @param {string} name */
    constructor(name) {
      super();
      this.name = name;
      this.closed = false;
      created += 1;
      open.add(this);
    }

    /** @param {any} data */
    postMessage(data) {
      if (this.closed) throw new DOMException("BroadcastChannel is closed.", "InvalidStateError");
      posted.push({ name: this.name, data: structuredClone(data) });
      deliver(this.name, data, this);
    }

    close() {
      this.closed = true;
      open.delete(this);
    }
  }

  return {
    Channel: FakeBroadcastChannel,
    open,
    posted,
    created: () => created,
    /**
     * Post as another page of the same origin would (the Jupyter callback page).
     * @param {string} name
     * @param {any} data
     */
    postFromPage(name, data) {
      deliver(name, data, null);
    },
  };
}

/**
 * Replace `window.open` and the global BroadcastChannel for one test; `restore()` puts them back.
 * `window.open` returns a FakePopup (the same one again for a name whose window is still open, as browsers do),
 * or null while `blocked` is set. `onOpen` runs inside the call, e.g. to see what had been sent before it.
 * @param {Window} win
 */
export function installBrowserFakes(win) {
  const channels = fakeBroadcastChannels();
  const original = { open: win.open, BroadcastChannel: globalThis.BroadcastChannel };
  /** @type {Map<string, FakePopup>} */
  const byName = new Map();
  const fakes = {
    channels,
    /** @type {{ url: string | undefined, name: string | undefined, features: string | undefined, popup: FakePopup | null }[]} */
    opens: [],
    blocked: false,
    /** @type {(() => void) | null} */
    onOpen: null,
    /** The window the latest call returned. */
    get popup() {
      return fakes.opens.at(-1)?.popup ?? null;
    },
    restore() {
      win.open = original.open;
      globalThis.BroadcastChannel = original.BroadcastChannel;
    },
  };
  win.open = /** @type {any} */ (
    /**
     * @param {string} [url]
     * @param {string} [name]
     * @param {string} [features]
     */
    (url, name, features) => {
      fakes.onOpen?.();
      let popup = null;
      if (!fakes.blocked) {
        const existing = name ? byName.get(name) : undefined;
        popup = existing && !existing.closed ? existing : new FakePopup();
        if (name) byName.set(name, popup);
      }
      fakes.opens.push({ url, name, features, popup });
      return popup;
    }
  );
  globalThis.BroadcastChannel = /** @type {any} */ (channels.Channel);
  return fakes;
}
