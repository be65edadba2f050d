"""The API's routers, one module per area; ``deps`` holds what they share (store, clock, the caller)."""
