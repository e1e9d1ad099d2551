"""Handlers: each gets a unit of work (one transaction per state change, repositories, no
SQL); domain types in and out."""
