"""Adapters: the node's tables and repositories, and its client of the hub."""
