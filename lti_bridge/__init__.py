"""LTI 1.3 Advantage tool (and LTI 1.1) through which partner LMSs embed the course's modules."""
