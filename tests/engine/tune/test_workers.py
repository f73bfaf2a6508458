"""Several `scalp tune` workers on one study: distinct trials, one shared record (SQLite here, PostgreSQL in CI)."""
import json
import os
import uuid

import pytest


def _two_workers(start_scalp, env, args, study):
    procs = [start_scalp(env, "tune", "tune=tiny", f"study={study}", "n_trials=2", "seed=null", "--json", *args)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    return [json.loads(o.splitlines()[-1]) for o, _ in outs]


def _check(got, storage_url, study):
    import optuna
    mine = [set(g["this_worker"]) for g in got]
    assert len(mine[0]) == len(mine[1]) == 2 and not mine[0] & mine[1]      # distinct trials, 2 each
    trials = optuna.load_study(study_name=study, storage=storage_url).trials
    assert sorted(tr.number for tr in trials) == sorted(mine[0] | mine[1])
    assert all(tr.state.name in ("COMPLETE", "PRUNED") for tr in trials)
    assert len({tuple(sorted(tr.params.items())) for tr in trials}) == len(trials)   # each worker drew its own
    assert max(g["trials"] for g in got) == 4


def test_two_workers_share_one_sqlite_study(tune_env, start_scalp):
    env, args, conf = tune_env
    got = _two_workers(start_scalp, env, args, "shared")
    _check(got, f"sqlite:///{conf.parent / 'out' / 'tune.db'}", "shared")


@pytest.mark.postgres
def test_two_workers_share_one_postgres_study(tune_env, start_scalp):
    url = os.environ.get("SCALP_TEST_PG_URL")
    if not url:
        pytest.skip("SCALP_TEST_PG_URL not set (CI sets it; see README)")
    import optuna
    env, args, _ = tune_env
    study = f"t{uuid.uuid4().hex[:10]}"
    env = {**env, "SCALP_TUNE_STORAGE": url}
    try:
        got = _two_workers(start_scalp, env, args, study)
        assert all("***" in g["storage"] or "scalp:" not in g["storage"] for g in got)    # no password printed
        _check(got, url, study)
    finally:
        try:
            optuna.delete_study(study_name=study, storage=url)
        except KeyError:
            pass
