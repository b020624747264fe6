"""The ceiling: the least a Flask app can do, served by the same gunicorn configuration.

A page's requests per second divided by this app's, measured in the same run on
the same machine, says how much of what Flask and gunicorn can give the page
uses, independently of how fast or how busy the machine is.
"""

from __future__ import annotations

from flask import Flask, render_template_string

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body>
</html>"""

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"


@app.get("/template")
def template() -> str:
    return render_template_string(TEMPLATE, title="Ceiling", items=["one", "two", "three"])


@app.get("/healthz")
def healthz() -> str:
    return "ok"
