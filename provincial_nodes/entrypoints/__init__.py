"""grpc.aio servicers of the province node, and the one module converting proto ↔ domain."""
