"""XBlocks of the course: the caregiving module, the learner progress view and the instructor dashboard."""
