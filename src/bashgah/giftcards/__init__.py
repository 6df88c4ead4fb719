"""Gift cards: codes carrying rials, each its own ledger account."""
