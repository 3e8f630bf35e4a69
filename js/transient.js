// The status region's short-lived line ("Redirect URI copied", "Sign-in cancelled."): it shows for a few seconds, or,
// when it speaks of a moment ("Disconnecting…"), only while Python's status still says that moment lasts.

/** @typedef {import("./types.js").Status} Status */

export const TRANSIENT_MS = 4000;
// Saying the same thing twice in a row must still be heard: the line is emptied first, and says it again this much later.
const REPEAT_GAP_MS = 100;

/**
 * @param {{ signal: AbortSignal, onChange: () => void }} options  onChange: the line's text changed (read `text()`)
 */
export function createTransientLine({ signal, onChange }) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let text = "";
  /** @type {((status: Status) => boolean) | null} the statuses the line still holds for */
  let holds = null;

  /** @param {string} next */
  const show = (next) => {
    if (text === next) return;
    text = next;
    onChange();
  };

  /** The line goes: its time is up, or the moment it spoke of has passed. */
  const drop = () => {
    clearTimeout(timer);
    holds = null;
    show("");
  };

  signal.addEventListener("abort", () => clearTimeout(timer));

  return {
    text: () => text,
    drop,
    /** @type {import("./types.js").ViewContext["announce"]} */
    announce(message, { holdsWhile = null } = {}) {
      clearTimeout(timer);
      holds = holdsWhile;
      const again = text === message;
      // The line changes at the next tick either way; only a repeat is emptied now, so it is heard again.
      if (again) show("");
      else text = "";
      timer = setTimeout(
        () => {
          show(message);
          timer = setTimeout(drop, TRANSIENT_MS);
        },
        again ? REPEAT_GAP_MS : 0,
      );
    },
    /**
     * Python's status moved on: a line about the moment before goes when that moment has passed.
     * @param {Status} status
     */
    statusChanged(status) {
      if (holds && !holds(status)) drop();
    },
  };
}
