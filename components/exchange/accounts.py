"""Simulated Upbit balances: available and locked per currency, average buy price (KRW)."""
from __future__ import annotations

from dataclasses import dataclass

from components.exchange.errors import reject
from components.types.tick import fmt

_EPS = 1e-9   # float dust below this (relative) is treated as zero so locked never goes negative


@dataclass(slots=True)
class Balance:
    """One currency: `balance` = available, `locked` = held by open orders (total = both)."""
    balance: float = 0.0
    locked: float = 0.0
    avg_buy_price: float = 0.0

    @property
    def total(self) -> float:
        return self.balance + self.locked


class Accounts:
    """Balances per currency with Upbit's lock/unlock arithmetic; never negative beyond float dust."""

    def __init__(self, unit_currency: str = "KRW") -> None:
        self.unit = unit_currency
        self._b: dict[str, Balance] = {}

    def get(self, currency: str) -> Balance:
        b = self._b.get(currency)
        if b is None:
            b = self._b[currency] = Balance()
        return b

    def deposit(self, currency: str, amount: float, avg_buy_price: float = 0.0) -> None:
        b = self.get(currency)
        b.balance += float(amount)
        if avg_buy_price:
            b.avg_buy_price = float(avg_buy_price)

    def lock(self, currency: str, amount: float, error_name: str) -> None:
        """Move `amount` from available to locked, or raise `error_name` (insufficient_funds_*)."""
        b = self.get(currency)
        if amount > b.balance * (1 + _EPS) + _EPS:
            reject(error_name, f"주문가능한 금액({currency})이 부족합니다. need {fmt(amount)}, "
                               f"available {fmt(b.balance)}")
        amount = min(amount, b.balance)
        b.balance -= amount
        b.locked += amount

    def unlock(self, currency: str, amount: float) -> None:
        """Return locked funds to available (cancel, or price improvement on a bid)."""
        b = self.get(currency)
        amount = min(amount, b.locked)
        b.locked -= amount
        b.balance += amount
        self._clean(b)

    def spend_locked(self, currency: str, amount: float) -> None:
        """Locked funds leave the account (paid for a fill)."""
        b = self.get(currency)
        b.locked -= min(amount, b.locked)
        self._clean(b)

    def credit(self, currency: str, amount: float) -> None:
        self.get(currency).balance += amount

    def add_bought(self, currency: str, volume: float, price: float) -> None:
        """Credit bought coins and update the average buy price (fee excluded, as Upbit shows it)."""
        b = self.get(currency)
        before = b.total
        b.balance += volume
        if b.total > 0:
            b.avg_buy_price = (b.avg_buy_price * before + price * volume) / b.total

    @staticmethod
    def _clean(b: Balance) -> None:
        if abs(b.locked) < _EPS:
            b.locked = 0.0
        if abs(b.balance) < _EPS:
            b.balance = 0.0

    def currencies(self) -> list[str]:
        return sorted(self._b, key=lambda c: (c != self.unit, c))

    def to_upbit(self) -> list[dict]:
        """`GET /v1/accounts` items (strings); KRW first, empty coin accounts omitted."""
        out = []
        for c in self.currencies():
            b = self._b[c]
            if c != self.unit and b.total <= 0:
                continue
            out.append({"currency": c, "balance": fmt(b.balance), "locked": fmt(b.locked),
                        "avg_buy_price": fmt(b.avg_buy_price if c != self.unit else 0.0),
                        "avg_buy_price_modified": False, "unit_currency": self.unit})
        return out
