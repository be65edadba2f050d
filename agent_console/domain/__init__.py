"""Domain rules over store objects and an injected clock (no UI, no HTTP)."""
