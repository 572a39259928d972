"""The batch writer and its two database strategies (see writer.py)."""
