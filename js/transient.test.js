// The status region's short-lived line: when it speaks, when it goes, and that a repeat is heard again.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { TRANSIENT_MS, createTransientLine } from "./transient.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function line() {
  const controller = new AbortController();
  /** @type {string[]} what the line said, change by change */
  const said = [];
  const transient = createTransientLine({ signal: controller.signal, onChange: () => said.push(transient.text()) });
  return { transient, said, controller };
}

describe("the short-lived line", () => {
  test("speaks on the next tick and goes after a few seconds", () => {
    const { transient, said } = line();
    transient.announce("Redirect URI copied");
    expect(transient.text()).toBe("");
    vi.advanceTimersByTime(0);
    expect(said).toEqual(["Redirect URI copied"]);
    vi.advanceTimersByTime(TRANSIENT_MS);
    expect(said).toEqual(["Redirect URI copied", ""]);
  });

  test("the same words twice: emptied first, so a screen reader hears them again", () => {
    const { transient, said } = line();
    transient.announce("Redirect URI copied");
    vi.advanceTimersByTime(0);
    transient.announce("Redirect URI copied");
    expect(said).toEqual(["Redirect URI copied", ""]);
    vi.advanceTimersByTime(100);
    expect(said).toEqual(["Redirect URI copied", "", "Redirect URI copied"]);
  });

  test("a new line replaces the old one directly, without an empty line between", () => {
    const { transient, said } = line();
    transient.announce("Redirect URI copied");
    vi.advanceTimersByTime(0);
    transient.announce("Sign-in cancelled.");
    vi.advanceTimersByTime(0);
    expect(said).toEqual(["Redirect URI copied", "Sign-in cancelled."]);
  });

  test("a line about a moment goes when Python's status leaves that moment, and only then", () => {
    const { transient } = line();
    transient.announce("Disconnecting\u2026", { holdsWhile: (status) => status === "connected" });
    vi.advanceTimersByTime(0);
    transient.statusChanged("connected");
    expect(transient.text()).toBe("Disconnecting\u2026");
    transient.statusChanged("draft");
    expect(transient.text()).toBe("");
  });

  test("drop: gone at once, its timer with it", () => {
    const { transient, said } = line();
    transient.announce("Sign-in cancelled.");
    vi.advanceTimersByTime(0);
    transient.drop();
    vi.advanceTimersByTime(TRANSIENT_MS * 2);
    expect(said).toEqual(["Sign-in cancelled.", ""]);
  });

  test("the view going away stops it: nothing is said after", () => {
    const { transient, said, controller } = line();
    transient.announce("Redirect URI copied");
    controller.abort();
    vi.advanceTimersByTime(TRANSIENT_MS * 2);
    expect(said).toEqual([]);
  });
});
