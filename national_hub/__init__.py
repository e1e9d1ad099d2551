"""The national hub: node registry and routing by insured place, the message journal, the
national filing registry, advance funds, reconciliation and clearing — in the province node's
shape: ``domain`` (pure rules), ``adapters`` (tables, repositories, unit of work, the client of
the insured nodes), ``service_layer`` (handlers), ``entrypoints`` (gRPC servicers) and
``bootstrap.py`` (wiring)."""
