"""xAPI 1.0.3 statements of the learner record, delivered through the outbox to partners' learning record stores.

:mod:`models` (the LRS endpoints, secrets sealed), :mod:`statements` (records to statements, ids derived from
record ids), :mod:`feed` (queues statements of new records, or of records since a date), :mod:`delivery`
(the outbox handler), :mod:`cli` (``caregiving lrs``).
"""
