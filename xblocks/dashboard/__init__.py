"""Helpers of the instructor dashboard block (:mod:`xblocks.dashboard_block`): who is looking, the table,
the drill-down, the forms, the CSV, the chart and the sync panel. Each reads the learner record through
its API only.
"""
