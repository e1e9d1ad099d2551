"""Structured logging (structlog) and the masking of ID numbers and names."""
