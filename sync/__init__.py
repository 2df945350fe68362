"""Scheduled delivery of the outbox: badges to the issuing platform, scores to partner LMSs."""
