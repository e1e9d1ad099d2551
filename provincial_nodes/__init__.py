"""The province node. Every node plays two roles:

- **treatment** (就医地): serves hospitals, keeps its catalogue, classifies fee lines, records
  visits and settlements;
- **insured** (参保地): serves the hub, keeps its people, accumulators and personal accounts, and
  applies its own policy to compute the split.

Layers: ``domain`` (pure rules), ``adapters`` (tables, repositories, the hub client),
``service_layer`` (handlers, one transaction per state change), ``entrypoints`` (grpc.aio
servicers and proto conversion), wired in ``bootstrap``.
"""
