"""The ceiling: a minimal Flask "hello world", served by gunicorn exactly like the wizard.

`gunicorn bench.hello:app`. Whatever a page of the wizard costs beyond this
is the wizard's own work (rules, templates, session, headers, compression).
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
