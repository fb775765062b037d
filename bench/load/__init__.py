"""The deadline-day load scenario: make load (bench/load/run.py)."""
