// Copy text to the clipboard. The async Clipboard API needs a secure context and, in some hosts (VS Code webviews,
// sandboxed iframes), a permission it does not get; the old select + execCommand("copy") path still works there.

/**
 * @param {string} text
 * @param {HTMLInputElement | null} [source]  an input holding the text, selected for the fallback
 * @returns {Promise<boolean>} whether the text reached the clipboard
 */
export async function copyText(text, source = null) {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, not a secure context): try the fallback.
  }
  if (!source) return false;
  const doc = source.ownerDocument;
  const previous = /** @type {HTMLElement | null} */ (doc.activeElement);
  source.focus();
  source.select();
  let copied = false;
  try {
    copied = typeof doc.execCommand === "function" && doc.execCommand("copy");
  } catch {
    copied = false;
  }
  // Leave the text selected when copying failed, so the analyst can press Ctrl+C themselves.
  if (copied && previous && previous !== source) previous.focus();
  return copied;
}
