"""Agent Console: a keyboard-first terminal console for call-center agents."""

__version__ = "0.1.0"
