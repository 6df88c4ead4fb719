"""Scheduled work: one registry of jobs, run per tenant under a per-(job, tenant) lock, from the CLI
(``bashgah jobs run [NAME]``, cron-friendly) or the in-process scheduler of the embedded default."""
