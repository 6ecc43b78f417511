# The blog's Flask app (my_app/__init__.py + views.py + run.py in one file), copied into the
# bench's temp dir and served by uWSGI with `wsgi-file = flask_app.py`, `callable = app`.
# /echo is the bench's addition for the 64 KiB POST row.
import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    app_name = os.getenv("APP_NAME")
    if app_name:
        return f"Hello from {app_name} running in a Docker container behind Nginx!"
    return "Hello from Flask"


@app.route("/echo", methods=["POST"])
def echo():
    return request.get_data(), 200, {"Content-Type": "application/octet-stream"}


if __name__ == "__main__":
    app.run()
