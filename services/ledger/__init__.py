"""The double-entry ledger (TigerBeetle-style): the pure model, its SQL store, and holds."""
