"""Headless Chromium driven over the DevTools protocol: open a page, wait for a JS condition, read the DOM.
(`--dump-dom` never returns on a page holding a server-sent-events stream open under virtual time.)"""
import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """One headless Chromium with a fresh profile; `page(url, until)` -> outerHTML once `until` (JS) is true."""

    def __init__(self, profile: Path, timeout_s: float = 60.0) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while not (active.exists() and active.read_text().count("\n") >= 1):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        self.port = int(active.read_text().split()[0])
        self._id = 0

    def page(self, url: str, until: str, timeout_s: float = 30.0) -> str:
        from websockets.sync.client import connect
        targets = httpx.get(f"http://127.0.0.1:{self.port}/json/list", timeout=10).json()
        ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(ws_url, max_size=None, open_timeout=20) as ws:
            self._call(ws, "Page.navigate", {"url": url})
            deadline = time.monotonic() + timeout_s
            while True:
                ok = self._eval(ws, f"Boolean({until})")
                if ok or time.monotonic() > deadline:
                    return self._eval(ws, "document.documentElement.outerHTML")
                time.sleep(0.2)

    def _call(self, ws, method: str, params: dict) -> dict:
        self._id += 1
        ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(ws.recv(timeout=30))
            if msg.get("id") == self._id:
                return msg.get("result", {})

    def _eval(self, ws, expr: str):
        res = self._call(ws, "Runtime.evaluate", {"expression": expr, "returnByValue": True})
        return res.get("result", {}).get("value")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
