"""Ground floor: register / build / validate / list components by (kind, short name)."""
from registry.core import (KINDS, ConfigError, Params, build, describe, get, load_all, names,
                           parse_params, register, secret_values, unregister, validate)

__all__ = ["KINDS", "ConfigError", "Params", "build", "describe", "get", "load_all", "names",
           "parse_params", "register", "secret_values", "unregister", "validate"]
