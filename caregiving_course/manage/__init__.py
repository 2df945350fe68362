"""Administrators' pages: partner platforms, the badge issuer, deliveries, people and roles (``/manage/``)."""
