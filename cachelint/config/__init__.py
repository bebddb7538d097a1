"""Configuration: `loader` finds, validates and merges the config files and flags into the
`Settings` of each file (`settings`, plain data every stage reads).

Nothing is imported here: the analysis reads `settings` (its `AnalysisOptions`) and must not
pull in the loader, which depends on the rules' registry.
"""
