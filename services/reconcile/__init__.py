"""Reconciliation every node serves: records and their comparison, the SQL reader, the servicer."""
