"""Sizing limits: modifiers applied after the sizing policy (risk across the positions already held)."""
