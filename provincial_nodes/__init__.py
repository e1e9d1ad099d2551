"""The province node. Every node plays two roles:

- **treatment** (就医地): serves hospitals, keeps its catalogue, classifies fee lines, records
  visits and settlements;
- **insured** (参保地): serves the hub, keeps its people, accumulators and personal accounts, and
  applies its own policy to compute the split.

Layers: ``domain`` (pure rules), ``adapters`` (tables, repositories and the unit of work that
holds them, the hub client and the proto conversion it needs), ``service_layer`` (handlers, each
given a unit of work: one transaction per state change, no SQL; ledger postings made in
``service_layer/ledger.py``), ``entrypoints`` (grpc.aio servicers and request parsing), wired
in ``bootstrap``; ``config`` reads the province documents. Imports point inwards only: adapters
import neither the service layer nor the entrypoints.
"""
