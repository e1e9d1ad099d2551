"""The hub's handlers: route, correct, clear, advances and top-ups, the node registry and the
filing registry. They take a unit of work and the insured-node client, use the domain's rules,
and never write SQL or see protobuf types."""
