"""Shared values every node uses: money in fen, the clock, ID numbers, the error tree."""
