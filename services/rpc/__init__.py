"""The gRPC edge every node shares: envelope checks, the handler decorator, error → status, server
and channels.
"""
