"""Pure domain rules: no gRPC, no database, no clock. Values in, values out."""
