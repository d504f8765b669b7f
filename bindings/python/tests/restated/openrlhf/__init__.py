"""A restatement of OpenRLHF 0.11.0's agent interface for testing adapters: not OpenRLHF."""
__version__ = "0.11.0 (restated)"
