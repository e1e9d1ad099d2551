"""The hub's pure rules: which node serves an insured place, advance levels and sizing, clearing
arithmetic and the ledger postings of every hub operation. No gRPC, no database, no clock (the
caller passes ``now``): values in, values out."""
