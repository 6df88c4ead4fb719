"""The audit log's reads: a page of lines, filtered, and the names of what they name."""
