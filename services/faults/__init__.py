"""The seeded fault-injecting transport used by tests and `settlenet up --faults`."""
