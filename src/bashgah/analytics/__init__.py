"""Analytics over members' purchases: pure functions, no database access."""
