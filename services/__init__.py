"""What every settlenet node shares.

Generated stubs (``services.pb``), money and code types, the error tree and its mapping to gRPC
statuses, the message envelope, storage (engine, unit of work, message journal), logging, and
server/channel bootstrap (health, reflection, TLS, deadlines).
"""
