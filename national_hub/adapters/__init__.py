"""Adapters: the hub's tables and repositories (one per thing it stores), the unit of work that
binds them to one transaction, and its client of the insured province nodes."""
