// The sign-in window. Popup blockers allow `window.open` only while the click that asked for it is being handled,
// but Lightspeed's address comes from the kernel a round trip later. So the panel opens an empty window inside the
// click, writes a short "opening" page into it (it is about:blank, hence same-origin and writable), and points it at
// Lightspeed when the address arrives.
//
// Every touch of the window is guarded: once it shows Lightspeed's page it is cross-origin (reading its document
// throws), and a provider page sending Cross-Origin-Opener-Policy severs the handle (`closed` then reads true
// although the window is still open, and the flow goes on through the BroadcastChannel).

/** Size and chrome of the sign-in window: Lightspeed's consent page fits without scrolling. */
export const POPUP_FEATURES = "popup,width=520,height=720";
export const POPUP_NAME_PREFIX = "ls-widget-oauth-";
export const OPENING_TEXT = "Opening Lightspeed sign-in\u2026";
const WATCH_MS = 500;

/**
 * Open (or, for the same view, reuse) the sign-in window. Call it synchronously from the click handler.
 * Returns null when the browser blocked it.
 * @param {Window} win     the notebook page's window
 * @param {string} name    one window per view: a second click reuses it instead of piling up windows
 * @returns {Window | null}
 */
export function openSignInWindow(win, name) {
  /** @type {Window | null} */
  let popup = null;
  try {
    popup = win.open("", name, POPUP_FEATURES);
  } catch {
    popup = null; // some embedders (sandboxed frames without allow-popups) throw instead of returning null
  }
  if (!popup) return null;
  writeOpeningPage(popup);
  try {
    popup.focus();
  } catch {
    // A window that is still on Lightspeed from an earlier attempt may refuse; it is open either way.
  }
  return popup;
}

/**
 * Replace the blank window's content with a short notice, so the analyst does not stare at an empty window while
 * the kernel prepares the address. A reused window still showing Lightspeed is cross-origin: leave it as it is.
 * @param {Window} popup
 */
export function writeOpeningPage(popup) {
  try {
    const doc = popup.document;
    doc.title = OPENING_TEXT;
    const meta = doc.createElement("meta");
    meta.name = "color-scheme";
    meta.content = "light dark";
    doc.head?.append(meta);
    const body = doc.body ?? doc.documentElement.appendChild(doc.createElement("body"));
    body.style.cssText = "font: 15px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 28rem; padding: 0 1rem";
    const heading = doc.createElement("p");
    heading.textContent = OPENING_TEXT;
    const detail = doc.createElement("p");
    detail.style.opacity = "0.7";
    detail.textContent = "If this stays here, the notebook's kernel is busy: the sign-in continues once it answers.";
    body.replaceChildren(heading, detail);
  } catch {
    // Cross-origin or already closed: nothing to write.
  }
}

/**
 * Point the window at Lightspeed. Returns false when it is gone (closed, or the handle was severed).
 * @param {Window | null} popup
 * @param {string} url
 */
export function navigate(popup, url) {
  if (!popup || isClosed(popup)) return false;
  try {
    popup.location.href = url;
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the window reads as closed. True also for a handle a Cross-Origin-Opener-Policy severed.
 * @param {Window | null} popup
 */
export function isClosed(popup) {
  if (!popup) return true;
  try {
    return popup.closed;
  } catch {
    return true;
  }
}

/**
 * Close the window if this page may (it opened it; a severed handle does nothing, and the callback page closes
 * itself once acknowledged).
 * @param {Window | null} popup
 */
export function closeWindow(popup) {
  if (!popup || isClosed(popup)) return;
  try {
    popup.close();
  } catch {
    // Nothing else to try.
  }
}

/**
 * Poll `popup.closed` (windows fire no event the opener can hear when they close) and call `onClosed` once.
 * @param {Window} popup
 * @param {() => void} onClosed
 * @returns {() => void} stops watching
 */
export function watchClosed(popup, onClosed) {
  const timer = setInterval(() => {
    if (!isClosed(popup)) return;
    clearInterval(timer);
    onClosed();
  }, WATCH_MS);
  return () => clearInterval(timer);
}
