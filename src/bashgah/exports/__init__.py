"""Downloads of the club's data: who may take personal data and codes away, and the audit line each leaves."""
