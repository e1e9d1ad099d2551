"""Handlers: one transaction per state change, domain types in and out."""
