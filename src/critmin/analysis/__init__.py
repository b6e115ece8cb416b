"""Analyses that run on solved models: compare runs, the cost-risk frontier, diagnose shortfalls and
infeasibility. Each reads the neutral result or `Solution`, never a particular backend."""
