"""The hub's gRPC edge: thin grpc.aio servicers (check, convert, call a handler, answer) and the
one module that converts between protobuf messages and the hub's values (``convert.py``)."""
