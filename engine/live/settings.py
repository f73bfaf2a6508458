"""Settings of paper/live sessions: the typed root `live` node, defined with the other settings in engine/settings.py."""
from engine.settings import LiveSettings

__all__ = ["LiveSettings"]
