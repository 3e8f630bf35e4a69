"""Take the README's screenshots of the panel in a real JupyterLab 4 (headless Chromium through Playwright).

    python scripts/readme_screenshot.py [--out docs]

Starts a throwaway JupyterLab (its own config, settings and LS_WIDGET_HOME in a temporary directory, exactly as the
browser tests do: see tests/browser/lab_harness.py), stores a made-up OAuth client, renders a filled-in panel and
writes ``panel.png`` (light theme) and ``panel-dark.png``, each cropped to the panel in its cell's output area.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

from lab_harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    bundle_problem,
    execute_command,
    open_notebook,
    panel,
    panel_output_area,
    run_all,
    run_python,
    set_theme,
    start_lab_server,
    write_notebook,
)

CLIENT = "Reporting notebook"
PANEL_CELL = f"""\
from ls_widget import LightspeedConnection

conn = LightspeedConnection(
    name="Downtown store reports",
    api_type="v3",
    scopes=["employee:inventory_read", "employee:register_read", "employee:reports"],
    oauth_client={CLIENT!r},
)
conn"""
# Made up: the screenshot needs a stored client, never a real one.
STORE_CLIENT = f"""\
from ls_widget import OAuthClient
OAuthClient({CLIENT!r}, "3f9a7c2e5b8d41f6a0c4e7b2d9f1a6c3", "not-a-real-secret").save()"""


def crop(root, margin: float = 0) -> dict:
    """The panel's own box, border included (its output area spans the whole notebook width)."""
    box = root.locator(":scope > *").first.bounding_box() or root.bounding_box()
    left, top = max(0, box["x"] - margin), max(0, box["y"] - margin)
    return {"x": left, "y": top, "width": box["width"] + 2 * margin, "height": box["height"] + 2 * margin}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs", help="directory for the PNGs (default: docs/)")
    parser.add_argument("--scale", type=float, default=2, help="device scale factor (default: 2, crisp on HiDPI)")
    args = parser.parse_args(argv)

    problem = bundle_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from playwright.sync_api import expect, sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ls-widget-shot-") as tmp:
        server = start_lab_server(Path(tmp))
        try:
            write_notebook(server.root_dir, "panel.ipynb", [PANEL_CELL])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 1400}, device_scale_factor=args.scale)
                open_notebook(page, server, "panel.ipynb")
                # Room for the panel: no file browser, no cell selection ring.
                execute_command(page, "application:toggle-left-area")
                run_python(page, STORE_CLIENT)
                run_all(page)
                root = panel(page)
                expect(root.get_by_role("combobox", name="OAuth 2.0 client", exact=True)).to_have_value(CLIENT)
                expect(root.get_by_role("textbox", name="Redirect URI", exact=True)).not_to_have_value("")
                page.mouse.click(5, page.viewport_size["height"] - 60)  # park the mouse: no hover styles
                page.evaluate("() => document.activeElement && document.activeElement.blur()")
                area = panel_output_area(page)
                area.scroll_into_view_if_needed()

                shots = {"JupyterLab Light": args.out / "panel.png", "JupyterLab Dark": args.out / "panel-dark.png"}
                for theme, path in shots.items():
                    set_theme(page, theme)
                    page.screenshot(path=path, clip=crop(root), animations="disabled")
                    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
                set_theme(page, "JupyterLab Light")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
