"""What every domain's HTTP endpoints share: authentication, language, the one-transaction-per-request
boundary and idempotent replays. Domains import this package; the composition root (``bashgah.api``)
sits above the domains and is imported by none of them."""
