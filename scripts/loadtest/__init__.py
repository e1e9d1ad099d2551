"""``settlenet loadtest``: realistic cross-province traffic against a running network, with
honest latency (open loop measured from each request's intended start), HdrHistogram
percentiles, errors by gRPC status code, a JSON report and a self-contained HTML plot.

    model.py       the seeded traffic model: province pairs, persons, institutions, fee lines, mix
    population.py  large seeded populations (unique ID numbers), cached as template databases
    target.py      what the generator drives: a network.json, or a network it starts itself
    client.py      the operations (full visit, settle-only, revocation) as timed gRPC calls
    schedule.py    open-loop arrival times: constant, steps, ramps
    stats.py       the recorder: histograms per call type, per operation, per province pair
    runner.py      open and closed loops, warm-up, drain, the live progress bar
    report.py      the JSON report and the terminal summary
    plot.py        the HTML plot (inline SVG, no network)
    command.py     the command-line arguments; session.py runs them
"""
