"""Universes: which markets the engine trades (static list, daily liquidity filter)."""
