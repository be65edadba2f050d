"""The console's screens: the queue, the case detail, and small modals (pickers, keys help)."""
