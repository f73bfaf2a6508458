"""Message catalogs for people-facing text, one module per area: MESSAGES = {key: {"ko": ..., "en": ...}}."""
