"""Config link checks, one module per area: CHECKS = [fn(cfg) -> list[(dotted_path, message)]]."""
