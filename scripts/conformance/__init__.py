"""The conformance suite: a catalogue of contract checks run against one province node through
its public contract only (as its hospitals, the hub's routing and the operator's reads see it),
never AdminService. ``settlenet conformance`` (:mod:`scripts.conformance.command`) runs it;
docs/conformance.md says what each check asserts.

One module per group of checks (``envelope``, ``idempotency``, ``presettle``, ``revoke``,
``split``, ``details``, ``service``, ``deadline``, ``http``), each registering its checks in
:mod:`scripts.conformance.registry`; :mod:`scripts.conformance.context` drives visits and reads
the node's own query and reconciliation RPCs; :mod:`scripts.conformance.runner` runs the
catalogue for a role and :mod:`scripts.conformance.report` prints it as text, JSON or JUnit XML.
"""
