"""The store's JSON text: json_dumps (the engine's recorder shares the encoder below the component kinds)."""
from components.types.jsontext import dict_rows_text, float_texts, json_dumps

__all__ = ["dict_rows_text", "float_texts", "json_dumps"]
