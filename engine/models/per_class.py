"""`scalp train classes.per_class=true`: one model per market class of the bot's markets, saved per class and
printed as the `classes.models.<class>.<tower>=<path>` overrides the decision routes load."""
from __future__ import annotations

import json
from typing import Any, Callable

from engine.i18n import t
from engine.models.classes import class_cfg, class_groups


class PerClass(dict):
    """class -> (class config, what the wrapped work returned for it)."""


def per_class(cfg: Any) -> bool:
    from engine.conf import plain
    return bool((plain(cfg.get("classes")) or {}).get("per_class"))


def per_class_work(work: Callable) -> Callable:
    """`work(cfg, flags)` once per class (its markets, market_class = the class) when classes.per_class."""
    def run(cfg: Any, flags: dict) -> Any:
        if not per_class(cfg):
            return work(cfg, flags)
        return PerClass({cls: (ccfg, work(ccfg, flags)) for cls, markets in class_groups(cfg).items()
                         for ccfg in [class_cfg(cfg, cls, markets)]})
    return run


def per_class_show(show: Callable) -> Callable:
    """Shows a PerClass result of `train_all`: each class's towers saved under <run>/model/<class>/, one
    line per tower, then the overrides that route each class to its models; anything else goes to `show`."""
    def run(cfg: Any, flags: dict, got: Any) -> int:
        if not isinstance(got, PerClass):
            return show(cfg, flags, got)
        from engine import artifacts
        from engine.models.bundle import save_bundle
        out = artifacts.run_dir(cfg, "train")
        doc, paths = {}, {}
        for cls, (_, (towers, info)) in got.items():
            man = save_bundle(out / "model" / cls, towers, None, info.pop("drift_reference"), market_class=cls)
            doc[cls] = {**info, "model_paths": man["towers"], "markets": list(got[cls][0].markets)}
            paths[cls] = man["towers"]
            if not flags.get("json"):
                for tid, ti in info["towers"].items():
                    print(f"{cls}/{tid}: " + t("train.done", train=info["train_rows"], cal=info["cal_rows"],
                                               seconds=ti["seconds"], auc=f"{ti['cal_auc']:.4f}"))
        overrides = ["classes.models={" + ",".join(f"{c}:{{" + ",".join(f"{k}:{v}" for k, v in tp.items()) + "}"
                                                   for c, tp in paths.items()) + "}"]
        if flags.get("json"):
            print(json.dumps(artifacts.clean({"classes": doc, "overrides": overrides})))
        else:
            print(t("train.class_models", overrides=" ".join(overrides)))
        return 0
    return run
