"""Reading instances (YAML + CSV) and reading/writing solution directories."""

from .instance_io import load_instance, validate_instance

__all__ = ["load_instance", "validate_instance"]
