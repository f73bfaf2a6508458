"""Risk layer of the engine: trading state from kill-switch trips, entry limits, exits, persistence."""
from engine.risk.manager import EntryDecision, RiskManager
from engine.risk.persist import MemoryRiskPersistence, RiskPersistence, SqliteRiskPersistence
from engine.risk.state import ActiveTrip, TradingState

__all__ = ["ActiveTrip", "EntryDecision", "MemoryRiskPersistence", "RiskManager", "RiskPersistence",
           "SqliteRiskPersistence", "TradingState"]
