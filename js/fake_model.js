// Test support (not bundled): an in-memory stand-in for anywidget's model, with the same get/set/on/off/
// save_changes/send surface, plus helpers to play Python's part (`pythonSet`, `pythonSend`, `reply`) and to inspect
// what the panel sent. By default it answers `list_clients` at once, as a live kernel does (a few ms later); with
// `kernel: false` it answers nothing, like a panel drawn from saved state (a static HTML export). Kept free of vitest
// so a throwaway demo page can use it too.

/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./types.js").ClientSummary} ClientSummary */

/** Let promise callbacks run (the panel handles answers to its requests in them). */
export async function flush() {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** The catalog Python sends in `_profiles` (a short version of profiles.panel_catalog()). */
export function sampleProfiles() {
  return {
    v2: {
      label: "Lightspeed v2",
      summary: "Retail POS (R-Series), old version API",
      client_source: /** @type {const} */ ("builtin"),
      scopes: [
        { id: "employee:all", description: "Grants full read and write access to the account." },
        { id: "employee:register", description: "Create new sales and read sales history." },
        { id: "employee:inventory", description: "View, create, update, and archive items and inventory." },
        { id: "employee:customers_credit_limit", description: "Set customers' credit limits (legacy scope)." },
      ],
    },
    v3: {
      label: "Lightspeed v3",
      summary: "Retail POS (R-Series), new version API",
      client_source: /** @type {const} */ ("user"),
      scopes: [
        { id: "employee:all", description: "Grants full read and write access to the account." },
        { id: "employee:admin", description: "View, create, update, and archive administrative records." },
        { id: "employee:customers_read", description: "View customer accounts." },
        { id: "employee:inventory", description: "View, create, update, and archive items and inventory." },
        { id: "employee:inventory_read", description: "View items and inventory." },
        { id: "employee:register", description: "Create new sales and read sales history." },
        { id: "employee:reports", description: "View reports." },
        { id: "employee:tags", description: "View, create, update, and archive product tags." },
      ],
    },
  };
}

/** @returns {Model} */
export function defaultState() {
  return {
    name: "",
    api_type: "v3",
    scopes: [],
    oauth_client: null,
    status: "draft",
    error: "",
    redirect_uri: "",
    capture_mode: "auto",
    account_id: "",
    account_name: "",
    _profiles: sampleProfiles(),
    _client: null,
    _field_errors: {},
    _notice: "",
    _auth_host_loopback: false,
    _granted_scopes: [],
    _expires_at: 0,
  };
}

/**
 * A form that passes the panel's checks (v3 with a stored client), in the given capture mode.
 * @param {"auto" | "jupyter" | "paste"} capture_mode
 */
export function readyForm(capture_mode) {
  return {
    name: "Store reports",
    scopes: ["employee:inventory_read"],
    oauth_client: "Reporting",
    _client: { name: "Reporting", client_id: "abc", has_secret: true },
    capture_mode,
  };
}

export class FakeModel {
  /**
   * @param {Partial<Model>} [state]
   * @param {{ clients?: ClientSummary[], problems?: string[], kernel?: boolean }} [python]
   *   what Python's `list_clients` answers (default: the chosen `_client`, if any); kernel false: nothing answers
   */
  constructor(state = {}, { clients, problems = [], kernel = true } = {}) {
    /** @type {Record<string, any>} */
    this.state = { ...defaultState(), ...state };
    /** @type {ClientSummary[]} the stored clients Python lists */
    this.clients = clients ?? (this.state._client ? [this.state._client] : []);
    this.problems = problems;
    this.kernel = kernel;
    /** @type {Map<string, Set<Function>>} */
    this.listeners = new Map();
    /** @type {any[]} messages the panel sent with model.send */
    this.sent = [];
    /** @type {Record<string, any>[]} what each save_changes() would have synced */
    this.saved = [];
    /** @type {Record<string, any>} set since the last save_changes */
    this.dirty = {};
    /** @type {any} */
    this.widget_manager = {};
  }

  /** @param {string} key */
  get(key) {
    return this.state[key];
  }

  /**
   * Like Backbone: store, then emit change:<key> when the value changed.
   * @param {string} key
   * @param {any} value
   */
  set(key, value) {
    const before = this.state[key];
    this.state[key] = value;
    this.dirty[key] = value;
    if (JSON.stringify(before) !== JSON.stringify(value)) this.emit(`change:${key}`);
  }

  save_changes() {
    this.saved.push(this.dirty);
    this.dirty = {};
  }

  /** @param {any} content */
  send(content) {
    this.sent.push(structuredClone(content));
    if (this.kernel && content?.type === "list_clients") {
      this.pythonSend({ type: "list_clients_reply", id: content.id, ok: true, clients: structuredClone(this.clients),
        problems: [...this.problems] });
    }
  }

  /**
   * The requests of one type the panel sent, oldest first.
   * @param {string} type
   */
  requests(type) {
    return this.sent.filter((m) => m?.type === type);
  }

  /**
   * Python answers the latest request of `type` (`{type: "<type>_reply", id, ok: true, ...fields}`), then the
   * panel's promise callbacks run.
   * @param {string} type
   * @param {Record<string, any>} [fields]
   */
  async reply(type, fields = {}) {
    const request = this.requests(type).at(-1);
    if (!request) throw new Error(`the panel sent no ${type} request`);
    this.pythonSend({ type: `${type}_reply`, id: request.id, ok: true, ...fields });
    await flush();
  }

  /**
   * @param {string} event
   * @param {Function} callback
   */
  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(callback);
  }

  /**
   * @param {string | null} [event]
   * @param {Function | null} [callback]
   */
  off(event, callback) {
    if (!event) {
      this.listeners.clear();
      return;
    }
    if (!callback) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(callback);
  }

  /**
   * @param {string} event
   * @param {...any} args
   */
  emit(event, ...args) {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback(...args);
  }

  /** How many listeners are registered, over all events. */
  listenerCount() {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /**
   * Python changes a trait (no save_changes: the change comes from the kernel).
   * @param {Partial<Model>} changes
   */
  pythonSet(changes) {
    for (const [key, value] of Object.entries(changes)) {
      const before = this.state[key];
      this.state[key] = value;
      if (JSON.stringify(before) !== JSON.stringify(value)) this.emit(`change:${key}`);
    }
  }

  /**
   * Python sends a custom message.
   * @param {any} content
   */
  pythonSend(content) {
    this.emit("msg:custom", content, []);
  }

  /** Every key=value the panel synced, merged in order. */
  syncedState() {
    return Object.assign({}, ...this.saved);
  }
}
