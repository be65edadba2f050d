"""The team's backend: a FastAPI app over the same store schema and domain rules as the console.

Nothing here is imported by the console or the CLI at start-up; ``agent-console server`` imports it when it runs.
"""
