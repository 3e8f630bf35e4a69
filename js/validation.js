// The panel's own checks before "Save and authorize", and how field errors from both sides are combined.
// Python re-validates everything (LightspeedConnection.validation_errors); these checks only spare a round trip
// and let the panel point at the bad field at once. The wording matches Python's so both read the same.

import { MAX_NAME_CHARS } from "./constants.js";

/** @typedef {import("./types.js").FieldName} FieldName */
/** @typedef {import("./types.js").FieldErrors} FieldErrors */
/** @typedef {import("./types.js").Profile} Profile */

/** The fields in form order: errors are listed, and the first bad field focused, in this order. */
export const FIELD_ORDER = /** @type {const} */ (["name", "api_type", "scopes", "oauth_client"]);

/** Each field's visible label, as the summary in the status region names it. */
export const FIELD_LABELS = /** @type {const} */ ({
  name: "Name your connection",
  api_type: "API type",
  scopes: "Scopes",
  oauth_client: "OAuth 2.0 client",
});

// Python's limit (ls_widget.names.MAX_CHARS), generated into constants.js.
const MAX_NAME = MAX_NAME_CHARS;

/**
 * The panel's checks: name non-blank, at least one scope, a client chosen where the API type needs the analyst's
 * own client.
 * @param {{ name: string, scopes: string[], oauth_client: string | null, profile: Profile | undefined }} form
 * @returns {FieldErrors}
 */
export function checkForm({ name, scopes, oauth_client, profile }) {
  /** @type {FieldErrors} */
  const errors = {};
  if (!name.trim()) errors.name = "Name your connection, e.g. 'Downtown store reports'.";
  else if (name.length > MAX_NAME) errors.name = `Keep the name under ${MAX_NAME} characters.`;
  if (scopes.length === 0) errors.scopes = "Choose at least one scope with 'Edit scopes'.";
  if (profile?.client_source === "user" && !oauth_client) {
    errors.oauth_client = "Choose an OAuth 2.0 client, or add one with 'Add OAuth 2.0 client'.";
  }
  return errors;
}

/**
 * The bad fields in form order.
 * @param {FieldErrors} errors
 * @returns {FieldName[]}
 */
export function badFields(errors) {
  return FIELD_ORDER.filter((field) => Boolean(errors[field]));
}

/**
 * One line for the status region, e.g. "Fix 2 fields: Name your connection, Scopes."; empty when all is well.
 * @param {FieldErrors} errors
 */
export function summarize(errors) {
  const fields = badFields(errors);
  if (fields.length === 0) return "";
  const noun = fields.length === 1 ? "field" : "fields";
  return `Fix ${fields.length} ${noun}: ${fields.map((f) => FIELD_LABELS[f]).join(", ")}.`;
}

/**
 * Field errors from two sources, the panel's last check and Python's `_field_errors`, with the rule that an
 * error disappears as soon as its field changes. Python clears its own entry too, but only after a round trip;
 * hiding it here at once keeps the form from contradicting what the analyst just did.
 */
export class FieldErrorState {
  /** @type {FieldErrors} */
  #local = {};
  /** @type {Set<string>} Python's errors for these fields are stale: the field changed since they came. */
  #stale = new Set();
  /** Whether the panel's own summary is wanted (set by a failed check, dropped when nothing is left to fix). */
  #summarizing = false;

  /**
   * Record the result of the panel's check ("Save and authorize").
   * @param {FieldErrors} errors
   */
  setLocal(errors) {
    this.#local = { ...errors };
    this.#summarizing = badFields(errors).length > 0;
  }

  /** Python sent a new `_field_errors`: its entries are fresh again. */
  pythonChanged() {
    this.#stale.clear();
  }

  /**
   * The analyst (or Python) changed a field: its error, from either source, goes away.
   * @param {FieldName} field
   */
  fieldChanged(field) {
    delete this.#local[field];
    this.#stale.add(field);
  }

  /**
   * The errors to show now: the panel's own first, then Python's.
   * @param {FieldErrors} python
   * @returns {FieldErrors}
   */
  visible(python) {
    /** @type {FieldErrors} */
    const shown = {};
    for (const field of FIELD_ORDER) {
      const message = this.#local[field] || (this.#stale.has(field) ? "" : python?.[field]);
      if (message) shown[field] = message;
    }
    return shown;
  }

  /**
   * The summary line for the status region while a failed check still has something to fix.
   * @param {FieldErrors} python
   */
  summary(python) {
    if (!this.#summarizing) return "";
    const text = summarize(this.visible(python));
    if (!text) this.#summarizing = false;
    return text;
  }
}
