"""A fake alert endpoint on 127.0.0.1: records every POST (path, JSON body) and answers from a script."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Endpoint:
    """Records (path, body) per POST; answers `script` entries first — an int status or (status, headers,
    body) — then 200 with `{"ok": true}`; `delay_s` makes every answer slow."""

    def __init__(self, script=(), delay_s=0.0):
        self.posts, self.script, self.delay_s = [], list(script), delay_s
        self.lock = threading.Lock()
        ep = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with ep.lock:
                    ep.posts.append((self.path, body, time.monotonic()))
                    answer = ep.script.pop(0) if ep.script else 200
                time.sleep(ep.delay_s)
                status, headers, out = (answer, {}, None) if isinstance(answer, int) else answer
                data = json.dumps(out if out is not None else {"ok": status < 300}).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, str(v))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:        # the client gave up (timeout): nothing to answer
                    pass

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, path_part=""):
        with self.lock:
            return [b for p, b, _ in self.posts if path_part in p]

    def wait_for(self, n, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while len(self.posts) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.posts) >= n

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    made = []

    def make(**kw):
        ep = Endpoint(**kw)
        made.append(ep)
        return ep
    yield make
    for ep in made:
        ep.close()
