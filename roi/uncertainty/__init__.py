"""Uncertainty over a business case: Monte Carlo simulation of its declared distributions
(``simulation``), and one-at-a-time sensitivity, the tornado and break-even values
(``sensitivity``).

May import: ``roi.io``, ``roi.core``."""
