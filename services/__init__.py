"""What every settlenet node shares, in named rooms:

- ``values``: money in fen, the clock, ID numbers, the error tree and its reasons (pure);
- ``ledger``: the double-entry ledger's pure model, its SQL store and holds;
- ``reconcile``: reconciliation records and their comparison, their reader and servicer;
- ``storage``: the database with its group commit, prepared statements, the msgid journal;
- ``rpc``: the gRPC edge (envelope checks, the handler decorator, error → status, server and
  channels);
- ``logs``: structured logging and masking;
- ``faults``: the seeded fault-injecting transport;
- ``pb``: the generated stubs (never edited).
"""
