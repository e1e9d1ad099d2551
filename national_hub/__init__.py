"""The national hub: node registry and routing by insured place, the message journal (and,
as the project grows, the national filing registry, advance funds, reconciliation and clearing).
"""
