"""The sync client: the console's outbox pushed to the team's server, its change feed pulled into the local store.

``client`` is the only code that speaks HTTP to the backend; ``engine`` runs the rounds (push, pull, events, backoff);
``replica`` applies feed changes to the store; ``outbox`` reads and marks pending ops; ``credentials`` keeps a store's
log-in (``<store>.token``, mode 0600).
"""
