"""The engine loop (DESIGN §4), in parts: market data, decisions, execution, recorder, run lifecycle."""
from engine.loop.core import DRIFT_PUBLISH_MS, EngineLoop
from engine.conf import plain
from engine.loop.lifecycle import build_exchange

__all__ = ["DRIFT_PUBLISH_MS", "EngineLoop", "build_exchange", "plain"]
