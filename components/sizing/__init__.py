"""Sizing policies: how many KRW to put into an entry (`size_krw(balance_krw, confidence, context)`)."""
