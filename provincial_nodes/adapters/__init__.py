"""Adapters: the node's tables and repositories, the unit of work that hands them to
handlers (``unit_of_work.py``), and its client of the hub (with ``proto.py``)."""
