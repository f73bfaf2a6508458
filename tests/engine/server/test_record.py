"""`scalp record` against the local server: a forced disconnect neither loses nor duplicates trades."""
import asyncio

import pytest

MARKETS = ["KRW-ADA", "KRW-ANKR", "KRW-BAT", "KRW-DAWN", "KRW-IQ", "KRW-STX"]


def _feed(srv):
    from registry import build
    return build("feed", {"component": "upbit_ws", "url": srv.ws_url, "rest_url": srv.base_url,
                          "format": "SIMPLE", "types": ["trade", "orderbook", "ticker"], "backoff_min_s": 0.05,
                          "backoff_max_s": 0.2, "bars_s": [], "warmup_bars": 0}, path="feed")   # as `record` builds it


@pytest.mark.parametrize("fresh_server", [{"faults": {"ws_drop_every_s": 1.0}}], indirect=True)
def test_record_survives_disconnects_without_loss_or_duplicates(fresh_server, tmp_path):
    dropping = fresh_server
    from engine.commands.record import record
    from registry import build
    store = build("store", {"component": "sqlite", "path": str(tmp_path / "rec.db")}, path="store")
    feed = _feed(dropping)
    rec = asyncio.run(record(feed, store, MARKETS, duration_s=4.0, flush_every=50, echo=lambda *_: None))
    assert feed.stats.reconnects >= 2
    history = dropping.call(lambda: {m: [t.seq for t in dropping.state.market.stats[m].history] for m in MARKETS})
    total = 0
    for m in MARKETS:
        tb = store.read_trades(m)
        seqs = [int(s) for s in tb.seq]
        total += len(seqs)
        assert len(set(seqs)) == len(seqs), m
        if len(seqs) >= 2:
            published = [s for s in history[m] if min(seqs) <= s <= max(seqs)]
            assert sorted(seqs) == sorted(published), m
    assert total == rec.n_trades and total > 0
    assert rec.n_books > 0 and sum(len(store.read_books(m)) for m in MARKETS) == rec.n_books
    store.close()


def test_record_command_end_to_end(server, tmp_path, capsys):
    from engine.commands.record import main
    db = tmp_path / "cli.db"
    rc = main(["markets=[KRW-ADA,KRW-IQ]", "feed=upbit_ws", f"feed.url={server.ws_url}",
               f"feed.rest_url={server.base_url}", f"store.path={db}", "ui.lang=en", "--duration-s", "2"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "recorded: trades" in out
    from registry import build
    with build("store", {"component": "sqlite", "path": str(db)}, path="store") as store:
        assert len(store.read_books("KRW-ADA")) > 0


def test_a_recorded_store_replays_through_the_server(server, tmp_path):
    """Round trip: record from one server, then serve that store from another (source.kind=store)."""
    import httpx

    from engine.commands.record import record
    from engine.server.config import ServerConfig
    from engine.server.runner import RunningServer
    from registry import build
    db = tmp_path / "round.db"
    store = build("store", {"component": "sqlite", "path": str(db)}, path="store")
    rec = asyncio.run(record(_feed(server), store, ["KRW-ADA"], duration_s=2.0, flush_every=20,
                             echo=lambda *_: None))
    recorded = store.read_trades("KRW-ADA")
    store.close()
    assert rec.n_books > 0
    cfg = ServerConfig(port=0, source={"kind": "store", "path": str(db), "markets": ["KRW-ADA"], "speed": 50,
                                       "loop": False})
    with RunningServer(cfg) as srv:
        import time
        deadline = time.monotonic() + 10
        while not srv.state.replayer.done.is_set():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        book = httpx.get(srv.base_url + "/v1/orderbook", params={"markets": "KRW-ADA"}).json()
        assert book and book[0]["orderbook_units"][0]["bid_price"] > 0
        if len(recorded):
            ticks = httpx.get(srv.base_url + "/v1/trades/ticks", params={"market": "KRW-ADA", "count": 500}).json()
            assert sorted(t["sequential_id"] for t in ticks) == sorted(int(s) for s in recorded.seq)
