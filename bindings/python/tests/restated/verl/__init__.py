"""A restatement of verl 0.5.0's tool interface for testing adapters: not verl."""
__version__ = "0.5.0 (restated)"
