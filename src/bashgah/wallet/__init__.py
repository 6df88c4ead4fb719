"""Member wallets: stored value in rials as its own asset in the points ledger."""
