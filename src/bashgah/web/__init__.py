"""Server-rendered pages (POS, console, portal) in the same app as the API, calling the same services.

See docs/WEB.md for how a page is added.
"""
