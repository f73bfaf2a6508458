"""Fusion: combine the towers' P(up) into one probability for the entry rule."""
