"""The demo club: a chain store with branches, members and six months of sales, for trying Bashgah."""
