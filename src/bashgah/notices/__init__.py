"""Notices to members recorded by jobs (points expiring soon) for the messaging work to send."""
