"""Reusable widgets of the console: the virtual case table, SLA badge, header bar, case header, thread, editor."""
