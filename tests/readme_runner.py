"""Run every ```python block of a Markdown file, in order, in one namespace, as a notebook would run its cells.

    python tests/readme_runner.py README.md

A block's last expression is evaluated like a notebook cell's output. When that output is a connection panel that
is not signed in yet, the analyst would now click "Save and authorize" and approve: the runner plays those clicks
with the sandbox's documented ``demo.sign_in(conn)`` (the README's "Try it without an account" says so). Errors
point at the Markdown file's own line numbers. Prints one line per block; exits 1 at the first block that fails.
"""

from __future__ import annotations

import ast
import re
import sys
import time
import traceback
from pathlib import Path

FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, source) of every ```python block."""
    return [(text.count("\n", 0, found.start(1)) + 1, found.group(1)) for found in FENCE.finditer(text)]


def run_block(source: str, first_line: int, filename: str, namespace: dict) -> object:
    """Run one block as a cell; return the value of a trailing expression (None otherwise)."""
    tree = ast.parse("\n" * (first_line - 1) + source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


def play_the_click(value: object, namespace: dict) -> bool:
    from ls_widget import LightspeedConnection

    if not isinstance(value, LightspeedConnection) or value.status == "connected":
        return False
    demo = namespace.get("demo")
    if demo is None:
        raise RuntimeError("a panel waits for a click, but no sandbox (`demo`) was started to play it")
    demo.sign_in(value)
    return True


def main(path: str) -> int:
    text = Path(path).read_text(encoding="utf-8")
    namespace: dict = {"__name__": "__readme__"}
    blocks = python_blocks(text)
    try:
        for first_line, source in blocks:
            started = time.monotonic()
            try:
                value = run_block(source, first_line, path, namespace)
                clicked = play_the_click(value, namespace)
            except BaseException:
                traceback.print_exc()
                print(f"{path}:{first_line}: FAILED", flush=True)
                return 1
            note = " (played the click: demo.sign_in)" if clicked else ""
            print(f"{path}:{first_line}: ok in {time.monotonic() - started:.1f} s{note}", flush=True)
        print(f"{len(blocks)} blocks ran", flush=True)
        return 0
    finally:
        demo = namespace.get("demo")
        if demo is not None and getattr(demo, "running", False):
            print("the README left its sandbox running; stopping it", flush=True)
            demo.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
