"""Towers: models that turn feature vectors into probabilities / context vectors."""
