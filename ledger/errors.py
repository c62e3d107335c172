"""Domain errors, one per rule, each carrying a stable code and the field it concerns.

Two families: `InvalidEvent` is an event that is wrong on its own (the API answers 422);
`RuleViolation` is an event the books refuse (409). Rule errors are named for the rule broken.
"""

from __future__ import annotations

from typing import ClassVar


class LedgerError(Exception):
    """Base of every error the ledger raises about an incoming event."""

    code: ClassVar[str] = "ledger-error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code  # type: ignore[misc]


class InvalidEvent(LedgerError):
    """Raised when an event is malformed: missing or mistyped fields, sums that do not add up."""

    code = "invalid"


class RuleViolation(LedgerError):
    """Raised when an event is well formed but the books refuse it."""

    code = "rule-violation"


class UnknownConference(RuleViolation):
    """Raised when an event names a conference that was never configured."""

    code = "unknown-conference"


class UnknownEntity(RuleViolation):
    """Raised when an event references an order, product, credit... that does not exist."""

    def __init__(self, kind: str, key: str, *, field: str):
        super().__init__(f"{kind.replace('-', ' ')} {key!r} does not exist", field=field,
                         code=f"unknown-{kind}")


class AlreadyExists(RuleViolation):
    """Raised when an event would create an entity whose id is already taken."""

    def __init__(self, kind: str, key: str, *, field: str):
        super().__init__(f"{kind.replace('-', ' ')} {key!r} already exists", field=field,
                         code=f"{kind}-exists")


class IdempotencyConflict(RuleViolation):
    """Raised when a (source, id) already recorded arrives again with other content."""

    code = "idempotency-conflict"


class InvalidTransition(RuleViolation):
    """Raised when an entity is asked to move to a status its current status does not allow."""

    code = "invalid-transition"


class RefundExceedsRefundable(RuleViolation):
    """Raised when a refund is larger than succeeded payments minus refunds so far."""

    code = "refund-exceeds-refundable"


class CreditInsufficient(RuleViolation):
    """Raised when a credit payment is larger than the credit's remaining amount."""

    code = "credit-insufficient"


class CreditNotAvailable(RuleViolation):
    """Raised when a credit that is expired or used up is spent or expired again."""

    code = "credit-not-available"


class PurchaseOrderCancelled(RuleViolation):
    """Raised when a payment, credit note or send arrives for a cancelled purchase order."""

    code = "purchase-order-cancelled"


class PaymentMismatch(RuleViolation):
    """Raised when a payment settles with another amount, method or order than it began with."""

    code = "payment-mismatch"


class CurrencyFixed(RuleViolation):
    """Raised when a configured conference is reconfigured with another currency."""

    code = "currency-fixed"


class PeriodClosed(RuleViolation):
    """Raised when an event is dated inside a closed period and is not a correction naming it."""

    code = "period-closed"
