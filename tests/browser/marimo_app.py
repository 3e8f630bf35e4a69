# The connection panel in a marimo app, for tests/browser/test_marimo.py: the panel wrapped by mo.ui.anywidget, a
# cell that shows what Python sees (reactive: it reruns whenever the panel changes a trait; the "Ask Python" button
# reruns it too), and a text box whose value a cell writes into the panel's `name` trait (Python -> panel).
# LS_WIDGET_HOME comes from the test's environment.
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import html
    import json

    import marimo as mo

    from ls_widget import LightspeedConnection

    return LightspeedConnection, html, json, mo


@app.cell
def _(LightspeedConnection, mo):
    conn = mo.ui.anywidget(LightspeedConnection())
    conn
    return (conn,)


@app.cell
def _(mo):
    # A change Python makes itself (a cell, a message handler) reruns nothing in marimo: this button reruns the
    # cell below, to read what Python holds then.
    ask = mo.ui.button(label="Ask Python", value=0, on_click=lambda clicks: clicks + 1)  # its value counts the clicks
    ask
    return (ask,)


@app.cell
def _(ask, conn, html, json, mo):
    ask
    _seen = {key: conn.value.get(key) for key in ("name", "api_type", "scopes", "oauth_client", "status")}
    # Which "Ask Python" click this run answers, and Python's count of its own changes beside the panel's
    # acknowledgement of them (equal once every change has been acknowledged): what a test waits on.
    _seen.update(asked=ask.value, revision=conn.widget._revision, seen_revision=conn.widget._seen_revision)
    mo.Html(f'<pre class="python-sees" style="white-space: pre-wrap">Python sees: {html.escape(json.dumps(_seen, sort_keys=True))}</pre>')
    return


@app.cell
def _(mo):
    rename = mo.ui.text(label="Rename from Python")
    rename
    return (rename,)


@app.cell
def _(conn, rename):
    if rename.value:
        conn.widget.name = rename.value
    return


if __name__ == "__main__":
    app.run()
