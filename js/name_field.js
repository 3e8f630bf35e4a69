// The "Name your connection" textbox. Typing updates `name` after a short pause (each model.set + save_changes is a
// comm message to the kernel, one per keystroke would be wasteful); leaving the field or pressing Enter sends at
// once, and so does "Save and authorize" (via flush) so Python never checks a stale name.

import { h } from "./dom.js";
import { errorSlot, label, textInput } from "./field.js";
import { MAX_NAME_CHARS } from "./constants.js";

/** @typedef {import("./types.js").ViewContext} ViewContext */

const TYPING_PAUSE_MS = 300;
// Python's limit (ls_widget.names.MAX_CHARS), generated into constants.js.
const MAX_NAME = MAX_NAME_CHARS;

/**
 * @param {ViewContext} ctx
 * @param {{ onEdit: () => void }} options  called on every keystroke (the field's error goes away at once)
 */
export function createNameField(ctx, { onEdit }) {
  const { model } = ctx;
  const inputId = ctx.id("name");
  const input = textInput({
    id: inputId,
    prose: true,
    "aria-required": "true",
    maxlength: MAX_NAME,
    placeholder: "e.g. Downtown store reports",
  });
  const error = errorSlot(ctx, "name", { target: input });
  const element = h("div", { class: "ls-field" }, label(inputId, "Name your connection", { required: true }), input, error.element);

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /** Send what is typed now, if it differs from the model. */
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (model.get("name") !== input.value) ctx.commit("name", input.value);
  };

  input.addEventListener(
    "input",
    () => {
      clearTimeout(timer);
      timer = setTimeout(flush, TYPING_PAUSE_MS);
      // After the timer is set: the panel redraws on the edit, and `update` must see that a keystroke is on its way.
      onEdit();
    },
    { signal: ctx.signal },
  );
  input.addEventListener("change", flush, { signal: ctx.signal });
  input.addEventListener("blur", flush, { signal: ctx.signal });
  input.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Enter" && !event.isComposing) flush();
    },
    { signal: ctx.signal },
  );
  ctx.signal.addEventListener("abort", () => clearTimeout(timer));

  const update = () => {
    // While the analyst's keystrokes are still on their way, the model holds an older value: keep what they typed.
    if (timer !== undefined) return;
    const name = model.get("name") ?? "";
    if (input.value !== name) input.value = name;
  };

  update();
  return { element, focusTarget: input, setError: error.set, update, flush };
}
