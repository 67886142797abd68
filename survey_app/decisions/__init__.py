"""Decisions from the findings: task profiles, staffing, the committee pack (pure: no Flask, no storage)."""
