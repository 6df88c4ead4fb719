"""What a membership card's QR code holds: pure functions the schemas and the service both use."""

from __future__ import annotations

QR_PREFIX = "BASHGAH:"


def qr_payload(card_number: str) -> str:
    """What the membership card's QR code encodes; the POS lookup accepts it as typed or scanned."""
    return QR_PREFIX + card_number


def strip_qr(raw: str) -> str:
    """The card number in a scanned QR text (or the text itself when it is a bare card number)."""
    raw = raw.strip()
    return raw[len(QR_PREFIX) :] if raw.upper().startswith(QR_PREFIX) else raw
