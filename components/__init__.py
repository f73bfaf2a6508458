"""Components bots are built from, one subpackage per kind; `components.types` is their shared vocabulary."""
