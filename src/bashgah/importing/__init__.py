"""Bulk import and export of members and purchases (CSV and XLSX), and the fast path behind them."""
