"""Storage every node shares: the database and its group commit, prepared statements, the msgid
journal.
"""
