"""Entry rules: fused probability (+ market context) -> enter or not, with the reason."""
