"""``settlenet bench``: in one run, on one machine, at one concurrency, the bare gRPC ceiling
(echo nodes) beside the real network, each real figure printed as a ratio of its ceiling.

    echo.py     echo nodes: the same services and messages, trivial handlers
    command.py  the command-line arguments
    run.py      the scenarios, the measurement and the report
"""
