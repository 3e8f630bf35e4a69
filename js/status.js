// The panel's one live region (role="status", polite). It lists, most important first: that no running Python
// stands behind the panel (a saved copy: kernel_link.js), what to fix (the panel's
// validation summary, or Python's `error`), Python's `_notice`, how this view's sign-in is going (sign_in.js: a
// blocked or closed window, a result on its way), and the connection state. Transient confirmations ("Redirect URI
// copied") go on top for a few seconds. Lines are updated in place and only when their text changes, so a screen
// reader announces what changed and not the whole region again.

import { h, setText } from "./dom.js";

/** @typedef {import("./types.js").Status} Status */
/** @typedef {"transient" | "offline" | "problem" | "notice" | "flow" | "state"} LineKind */
/** @typedef {{ kind: LineKind, text: string, error: boolean }} StatusLine */

/** Line kinds in display order: each has its own element, so a change to one leaves the others unannounced. */
const KINDS = /** @type {const} */ (["transient", "offline", "problem", "notice", "flow", "state"]);

/**
 * The account as the state line names it ("" when unknown).
 * @param {string} account_name
 * @param {string} account_id
 */
function accountOf(account_name, account_id) {
  if (account_name && account_id) return `${account_name} (${account_id})`;
  return account_name || (account_id ? `account ${account_id}` : "");
}

/**
 * The connection state in words. A saved copy (no Python behind the panel: an HTML export, a notebook opened
 * without its kernel) tells what was true when it was saved, never a live state: its reader may come days later.
 * @param {{ status: Status, error: string, account_name: string, account_id: string, saved?: boolean }} state
 */
export function stateText({ status, error, account_name, account_id, saved = false }) {
  const account = accountOf(account_name, account_id);
  if (saved) {
    if (status === "connected") return `Saved copy: connected to ${account || "Lightspeed"} when it was saved`;
    if (status === "authorizing") return "Saved copy: a sign-in was under way when it was saved";
  }
  switch (status) {
    case "authorizing":
      return "Authorizing\u2026";
    case "connected":
      return account ? `Connected to ${account}` : "Connected";
    case "error":
      return error ? `Error: ${error}` : "Error";
    default:
      return "Not connected yet";
  }
}

/**
 * The lines to show, most important first.
 * @param {object} input
 * @param {string} input.summary     the panel's validation summary ("Fix 2 fields: ...")
 * @param {string} input.transient   a short-lived confirmation
 * @param {string} [input.offline]   why the panel cannot act (no kernel)
 * @param {string} input.notice      Python's `_notice`
 * @param {string} [input.flow]      the sign-in's progress, from this view
 * @param {Status} input.status
 * @param {string} input.error       Python's `error`
 * @param {string} input.account_name
 * @param {string} input.account_id
 * @param {boolean} [input.saved]  a saved copy with no Python behind it (see stateText)
 * @returns {StatusLine[]}
 */
export function statusLines({ summary, transient, offline = "", notice, flow = "", status, error, account_name, account_id, saved = false }) {
  /** @type {StatusLine[]} */
  const lines = [];
  if (transient) lines.push({ kind: "transient", text: transient, error: false });
  if (offline) lines.push({ kind: "offline", text: offline, error: false });
  // With status "error" the state line already says "Error: ..."; do not say it twice.
  const problem = summary || (status === "error" ? "" : error);
  if (problem) lines.push({ kind: "problem", text: problem, error: true });
  if (notice) lines.push({ kind: "notice", text: notice, error: false });
  if (flow) lines.push({ kind: "flow", text: flow, error: false });
  lines.push({ kind: "state", text: stateText({ status, error, account_name, account_id, saved }), error: status === "error" });
  return lines;
}

/** @param {import("./types.js").ViewContext} ctx */
export function createStatus(ctx) {
  const rows = new Map(KINDS.map((kind) => [kind, h("p", { class: `ls-status-line ls-status-line--${kind}`, hidden: true })]));
  const element = h(
    "div",
    { class: "ls-status", role: "status", "aria-live": "polite", id: ctx.id("status") },
    ...rows.values(),
  );
  return {
    element,
    /** @param {StatusLine[]} lines */
    show(lines) {
      for (const [kind, row] of rows) {
        const line = lines.find((l) => l.kind === kind);
        setText(row, line?.text ?? "");
        row.hidden = !line;
        row.classList.toggle("ls-status-line--error", Boolean(line?.error));
      }
    },
  };
}
