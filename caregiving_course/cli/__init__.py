"""The `caregiving` command line."""
