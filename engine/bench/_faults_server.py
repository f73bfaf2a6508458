"""The local exchange server for the fault suite, with its accounts kept on disk so a `kill -9` and restart loses
nothing it ever acknowledged (as a real exchange would): `python -m engine.bench._faults_server STATE key=value ...`."""
from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path


def save(path: Path, state) -> None:
    """Accounts (orders, trades, balances) and the replay pass, written atomically."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump({"accounts": state.accounts, "passes": state.replayer.passes}, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def load(path: Path) -> dict | None:
    if not path.exists():
        return None
    with open(path, "rb") as f:
        return pickle.load(f)


class _Durable:
    """Writes the state before anything a client could see leaves the server: after a replayed event that changed
    an account, and before the reply to a private request is sent."""

    def __init__(self, app, state, path: Path) -> None:
        self.app, self.state, self.path = app, state, path
        self.dirty = False
        inner = state.on_event

        def on_event(ev):
            inner(ev)
            self.flush()

        def flush_private():            # ServerState.flush_private, noting whether any account changed
            for key, acc in state.accounts.items():
                msgs = acc.poll(state.market.now_ms)
                self.dirty = self.dirty or bool(msgs)
                for msg in msgs:
                    state.hub.publish(msg["type"], msg.get("code"), msg, account=key)
        state.on_event, state.flush_private = on_event, flush_private

    def flush(self) -> None:
        if self.dirty:
            self.dirty = False
            save(self.path, self.state)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope.get("method") != "GET":
            self.dirty = True

        async def send_after_save(msg):
            if msg["type"] == "http.response.start":
                self.flush()
            await send(msg)
        return await self.app(scope, receive, send_after_save)


def main(argv: list[str]) -> int:
    import uvicorn

    from engine.commands.exchange_server import load_config
    from engine.server.app import build_app
    from engine.server.runner import _uvicorn_config
    path = Path(argv[0])
    cfg = load_config(argv[1:])
    app, state = build_app(cfg)
    saved = load(path)
    if saved is not None:
        state.accounts = saved["accounts"]
        # replay restarts one pass later: market time and trade ids keep increasing across the restart
        state.replayer.passes = saved["passes"] + 1
    durable = _Durable(app, state, path)
    save(path, state)
    print("ready", flush=True)
    uvicorn.Server(_uvicorn_config(durable, cfg.host, cfg.port)).run()
    save(path, state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
