// Requests to Python with their answers, and whether a live Python object stands behind this view at all.
//
// Requests follow anywidget's invoke/command pattern: the view sends {type, id, ...} with an id of its own and
// Python answers {type: "<type>_reply", id, ok, ...} (or {type: "error_reply", id, ok: false, error}); the id lets
// each view take only its own answers, since Python's messages reach every view of the model. It is mirrored here
// rather than taken from anywidget.experimental because that command's Python half raises on an unknown name and
// answers nothing when a command fails (ls_widget/panel_protocol.py has the shapes).
//
// "Is there a kernel?" The panel may be drawn from saved widget state with nothing behind it: a static HTML export
// (no comm at all: model.send goes nowhere), or a notebook reopened without running its cells (a kernel may be
// running, but no Python object owns this model). Neither says so in a way anywidget lets a view see (it hides the
// comm), and only an answer proves the Python half exists, whatever the host (JupyterLab, Notebook 7, VS Code, Colab,
// an HTML export). So the first request, the client list, doubles as the probe: an answer means "live"; no answer
// within PROBE_TIMEOUT_MS means "absent". A busy kernel (a cell still running) also answers late; its answer
// still arrives, and then the view turns live again, so the wait costs only a few seconds of a disabled form.

/** @typedef {import("./types.js").PanelModel} PanelModel */
/** @typedef {import("./types.js").RequestType} RequestType */
/** @typedef {import("./types.js").LinkState} LinkState */
/** @typedef {import("./types.js").Reply} Reply */

/** How long the first request waits before the view says there is no kernel. */
export const PROBE_TIMEOUT_MS = 3000;
export const OFFLINE_TEXT =
  "Open this notebook in Jupyter to connect: this panel is a saved copy with no running Python behind it. " +
  "Run its cell to use it (if a cell is still running, the panel wakes up when it finishes).";
/** The same, for the reader of a static HTML export of the notebook: there is no cell to run on that page. */
export const OFFLINE_EXPORT_TEXT =
  "This page is a saved copy of a notebook: the panel shows it as it was saved and cannot connect from here. " +
  "To connect, open the notebook itself in Jupyter and run its cell.";

/**
 * Whether the page is a static HTML export (nbconvert embeds the widget state in a script of this type; live hosts
 * keep it elsewhere).
 * @param {Document | undefined} doc
 */
export function isHtmlExport(doc) {
  return Boolean(doc?.querySelector('script[type="application/vnd.jupyter.widget-state+json"]'));
}

/**
 * Why the panel cannot act, worded for where it is read.
 * @param {Document | undefined} doc
 */
export function offlineText(doc) {
  return isHtmlExport(doc) ? OFFLINE_EXPORT_TEXT : OFFLINE_TEXT;
}
// Ids of timed-out requests are remembered (a late answer still proves a kernel) up to this many.
const EXPIRED_KEPT = 32;

/** A request got no answer in time. */
export class NoAnswerError extends Error {
  /**
   * @param {string} type
   * @param {number} ms
   */
  constructor(type, ms) {
    super(`No answer from the kernel to ${type} within ${ms} ms.`);
    this.name = "NoAnswerError";
  }
}

/**
 * Whether a request was turned down because its view went away (the link rejects what is pending with an AbortError
 * then): nothing is left to tell, so this is the one rejection every caller expects.
 * @param {unknown} error
 */
export function isViewGone(error) {
  return typeof error === "object" && error !== null && "name" in error && error.name === "AbortError";
}

/**
 * A request's rejection handler: the rejections `expected` names pass quietly (the caller has nothing to do about
 * them); any other is a fault (a host that cannot deliver, a bug) and goes to the console with what the panel was
 * doing, then to `onFault` when the caller has something to undo.
 * @param {string} doing  e.g. "saving the OAuth 2.0 client", for the console
 * @param {object} [options]
 * @param {(error: unknown) => boolean} [options.expected]  default: the view went away (isViewGone)
 * @param {(error: unknown) => void} [options.onFault]
 * @returns {(error: unknown) => void}
 */
export function unlessExpected(doing, { expected = isViewGone, onFault } = {}) {
  return (error) => {
    if (expected(error)) return;
    console.error(`ls_widget: ${doing} failed:`, error);
    onFault?.(error);
  };
}

/** The host would not take a request (some throw rather than drop a message they cannot deliver): no kernel. */
export class NotSentError extends Error {
  /**
   * @param {string} type
   * @param {unknown} cause  what the host threw
   */
  constructor(type, cause) {
    super(`The host could not send ${type} to the kernel: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "NotSentError";
  }
}

/** Eight random bytes in hex: crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
function randomPrefix() {
  const bytes = new Uint8Array(8);
  try {
    globalThis.crypto.getRandomValues(bytes);
  } catch {
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * @typedef {object} Pending
 * @property {(reply: Reply) => void} resolve
 * @property {(error: Error) => void} reject
 * @property {ReturnType<typeof setTimeout> | undefined} timer
 * @property {((reply: Reply) => void) | null} onLate
 */

/**
 * @param {PanelModel} model
 * @param {object} options
 * @param {AbortSignal} options.signal   the view's: aborting rejects what is pending and stops every timer
 * @param {(event: "msg:custom", callback: (message: any) => void) => void} options.listen  model.on, undone by cleanup
 * @param {(state: LinkState) => void} [options.onChange]
 */
export function createKernelLink(model, { signal, listen, onChange = () => {} }) {
  /** @type {LinkState} */
  let state = "checking";
  const prefix = randomPrefix();
  let counter = 0;
  /** @type {Map<string, Pending>} */
  const pending = new Map();
  /** @type {Map<string, ((reply: Reply) => void) | null>} */
  const expired = new Map();
  /** @type {((state: LinkState) => void)[]} */
  let waiters = [];

  /** @param {LinkState} next */
  const setState = (next) => {
    if (state === next) return;
    state = next;
    for (const waiter of waiters.splice(0)) waiter(next);
    onChange(next);
  };

  listen("msg:custom", (/** @type {any} */ message) => {
    if (!message || typeof message !== "object" || typeof message.id !== "string") return;
    const entry = pending.get(message.id);
    if (entry) {
      pending.delete(message.id);
      clearTimeout(entry.timer);
      setState("live");
      entry.resolve(/** @type {Reply} */ (message));
      return;
    }
    if (expired.has(message.id)) {
      const onLate = expired.get(message.id);
      expired.delete(message.id);
      setState("live");
      onLate?.(/** @type {Reply} */ (message));
    }
  });

  signal.addEventListener("abort", () => {
    for (const entry of pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new DOMException("The view was removed.", "AbortError"));
    }
    pending.clear();
    expired.clear();
    waiters = [];
  });

  return {
    /** "checking" until the first answer or timeout, then "live" or "absent". */
    get state() {
      return state;
    },

    /**
     * Resolves once the state is known ("live" or "absent"); at once when it is.
     * @returns {Promise<LinkState>}
     */
    settled() {
      if (state !== "checking") return Promise.resolve(state);
      return new Promise((resolve) => waiters.push(resolve));
    },

    /**
     * Send a request and wait for its answer. Resolves with the reply, `ok` true or false: a refusal is an answer.
     * Rejects with NoAnswerError after `timeoutMs` (no timeout when null: an action the analyst started waits for a
     * busy kernel, and the caller says it is waiting), with NotSentError when the host would not send it, or with an
     * AbortError when the view goes away.
     * @param {RequestType} type
     * @param {Record<string, unknown>} [fields]
     * @param {{ timeoutMs?: number | null, onLate?: ((reply: Reply) => void) | null }} [options]
     *   onLate: called with an answer that comes after the timeout
     * @returns {Promise<Reply>}
     */
    request(type, fields = {}, { timeoutMs = null, onLate = null } = {}) {
      counter += 1;
      const id = `${prefix}-${counter}`;
      return new Promise((resolve, reject) => {
        if (signal.aborted) {
          reject(new DOMException("The view was removed.", "AbortError"));
          return;
        }
        /** @type {Pending} */
        const entry = { resolve, reject, timer: undefined, onLate };
        if (timeoutMs !== null) {
          entry.timer = setTimeout(() => {
            pending.delete(id);
            expired.set(id, onLate);
            if (expired.size > EXPIRED_KEPT) expired.delete(/** @type {string} */ (expired.keys().next().value));
            if (state === "checking") setState("absent");
            reject(new NoAnswerError(type, timeoutMs));
          }, timeoutMs);
        }
        pending.set(id, entry);
        try {
          model.send({ ...fields, type, id });
        } catch (error) {
          // Some hosts throw instead of dropping a message they cannot deliver: that is an answer too.
          pending.delete(id);
          clearTimeout(entry.timer);
          if (state === "checking") setState("absent");
          reject(new NotSentError(type, error));
        }
      });
    },
  };
}

/** @typedef {ReturnType<typeof createKernelLink>} KernelLink */
