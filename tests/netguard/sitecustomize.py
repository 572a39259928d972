# Loaded by every Python process the tests start (PYTHONPATH, see tests/worker.py).
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import guard

guard.install()
