"""Pilot evidence: pilot observation files and their column mappings (``pilots``), the effect
estimates with their intervals and the power planner (``estimates``), and the measured values
a pilot gives a case.

May import: ``roi.io``, ``roi.core``, ``roi.uncertainty``."""
