"""Run a config-driven command through Hydra: compose + validate every job first, then run (or multirun)."""
from __future__ import annotations

import re
import sys
from collections.abc import Callable

from omegaconf import DictConfig, OmegaConf

from engine import exit_codes
from engine.conf import conf_dir
from engine.i18n import problem_text, set_lang, t

JobFn = Callable[[DictConfig], int]
MULTIRUN_FLAGS = ("-m", "--multirun")
OVERRIDE_RE = re.compile(r"~[\w.\-/@:]+(=.*)?|\+{0,2}[\w.\-/@:]+=.*", re.S)   # key=v, +key=v, ~key, grp@pkg=x


def _lang_from(overrides: list[str]) -> None:
    for ov in overrides:
        m = re.fullmatch(r"\+*ui\.lang=(\w+)", ov)
        if m and m.group(1) in ("ko", "en"):
            set_lang(m.group(1))


def _composition_problem(err: Exception, overrides: list[str]) -> tuple[str, str]:
    """Turn a Hydra/OmegaConf composition error into one `dotted.path  message` line."""
    text = str(err)
    m = re.search(r"Could not (?:find|load) '([^']+)/([^']+)'", text)
    if m:
        group, option = m.groups()
        avail = re.findall(r"^\s*\t?(\S+)\s*$", text.split("Available options", 1)[-1], re.M)
        avail = [a for a in avail if not a.startswith("in") and ":" not in a] or _options(group)
        avail = avail or _options(group)
        from engine.cli import suggest
        return group.replace("/", "."), t("validate.missing_option", option=option, available=", ".join(avail),
                                          hint=suggest(option, avail))
    m = re.search(r"Could not override '([^']+)'", text) or re.search(r"Key '([^']+)' is not in struct", text)
    if m:
        key = m.group(1)
        full = next((ov.split("=", 1)[0].lstrip("+~") for ov in overrides
                     if ov.split("=", 1)[0].lstrip("+~").endswith(key)), key)
        return full, t("validate.missing_key", key=full)
    bad = next((ov for ov in overrides if not OVERRIDE_RE.fullmatch(ov)), None)
    if bad is not None:           # the parser's own text names its classes (LexerNoViableAltException...)
        return "", t("cli.not_override", arg=bad)
    return "", t("validate.bad_override", detail=re.sub(r"^\w+Exception:\s*", "", text.splitlines()[0]))


def _options(group: str) -> list[str]:
    folder = conf_dir() / group
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def compose(overrides: list[str]) -> DictConfig:
    """Compose exactly the config a run would get (without the hydra node)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    GlobalHydra.instance().clear()
    from hydra.core.hydra_config import HydraConfig
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        cfg = hydra_compose("config", overrides=overrides, return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)   # so ${hydra:...} interpolations resolve as in a run
    return cfg


def expand_sweep(overrides: list[str]) -> list[list[str]]:
    """Expand `a=1,2 b=x,y` into the override list of every job, as Hydra's basic sweeper would."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    parsed = OverridesParser.create().parse_overrides(overrides=overrides)
    batches = BasicSweeper.split_arguments(parsed, None)
    return [job for batch in batches for job in batch]


def precheck(overrides: list[str], multirun: bool) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Compose and validate every job before anything starts; returns (jobs, problems)."""
    from engine.validate import validate_config
    try:
        jobs = expand_sweep(overrides) if multirun else [overrides]
    except Exception as e:
        return [], [_composition_problem(e, overrides)]
    problems: list[tuple[str, str]] = []
    for job in jobs:
        try:
            cfg = compose(job)
        except Exception as e:
            problems.append(_composition_problem(e, job))
            continue
        cfg = job_config(cfg)
        for p in validate_config(cfg, multirun=multirun):
            if p not in problems:
                problems.append(p)
    return jobs, problems


def report_problems(problems: list[tuple[str, str]]) -> int:
    """Config problems go to stderr, one `dotted.path  message` line each; exit 2."""
    for path, msg in problems:
        print(f"{path}  {msg}" if path else msg, file=sys.stderr)
    print(t("validate.problems", n=len(problems)), file=sys.stderr)
    return exit_codes.CONFIG


def job_config(cfg: DictConfig) -> DictConfig:
    """The user's config of a running job: the `hydra` node removed."""
    return OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]) if "hydra" in cfg else cfg


def _job_header(stream) -> None:
    """`-m` runs: one header line per job (its number and overrides) before the job's own output."""
    from hydra.core.hydra_config import HydraConfig
    try:
        hc = HydraConfig.get()
        print(t("cli.job_header", num=hc.job.num, overrides=" ".join(hc.overrides.task) or "-"), file=stream,
              flush=True)
    except ValueError:
        pass


def _known_failure(e: Exception) -> int:
    """Data/feed and exchange failures: one line on stderr with their exit code; anything else propagates."""
    from components.types.upbit.errors import UpbitError
    from components.types.feed.errors import DataError
    if isinstance(e, DataError):
        print(t("data.error", detail=problem_text(e)), file=sys.stderr)
        return exit_codes.DATA
    try:
        from httpx import TransportError
    except ImportError:                       # pragma: no cover - httpx is a dependency of the upbit client
        TransportError = OSError
    if isinstance(e, (UpbitError, ConnectionError, TimeoutError, TransportError)):
        print(t("live.error", detail=f"{getattr(e, 'error_name', type(e).__name__)}: {e}"), file=sys.stderr)
        return exit_codes.EXCHANGE
    raise e


def hydra_command(name: str, argv: list[str], job: JobFn, json_out: bool = False) -> int:
    """Validate every job's config, then run `job(cfg)` through Hydra (multirun with -m)."""
    multirun = any(a in MULTIRUN_FLAGS for a in argv)
    overrides = [a for a in argv if a not in MULTIRUN_FLAGS]
    _lang_from(overrides)
    flag = next((a for a in overrides if a.startswith("-")), None)
    if flag is not None:
        from engine.cli import unknown_option
        return unknown_option(name, flag.split("=", 1)[0])
    _, problems = precheck(overrides, multirun)
    if problems:
        return report_problems(problems)

    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    def task(cfg: DictConfig) -> int:
        import registry
        registry.load_all()          # joblib/ray workers start with an empty registry
        user = job_config(cfg)
        from engine.settings import job_start
        from engine.validate import load_plugins
        load_plugins(user)
        if multirun:
            _job_header(sys.stderr if json_out else sys.stdout)   # --json: stdout holds only JSON
        try:
            settings = job_start(user)      # typed root nodes, parsed once; downstream reads settings_of(cfg)
            set_lang(settings.ui.lang)
            return int(job(user) or 0)
        except registry.ConfigError as e:   # found only while building: same report as validate
            return report_problems(e.problems)
        except FileNotFoundError as e:
            print(t("data.error", detail=problem_text(e)), file=sys.stderr)
            return exit_codes.DATA
        except Exception as e:
            return _known_failure(e)

    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2(task_name=name,
                                     config_search_path=create_config_search_path(str(conf_dir())))
    try:
        if multirun:
            rets = hydra.multirun(config_name="config", task_function=task,
                                  overrides=overrides + ["hydra.mode=MULTIRUN"])
            flat = [r for batch in (rets or []) for r in (batch if isinstance(batch, list) else [batch])]
            codes = [int(r.return_value or 0) for r in flat]
            return max(codes, default=0)
        ret = hydra.run(config_name="config", task_function=task, overrides=overrides)
        return int(ret.return_value or 0)
    finally:
        GlobalHydra.instance().clear()
        sys.stdout.flush()
