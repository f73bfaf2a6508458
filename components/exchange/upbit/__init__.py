"""Upbit exchange: the REST client component (protocol pieces live in components/types/upbit)."""
