"""The members' view of points: balance, statement, adjustments and transfers, built on the ledger."""
