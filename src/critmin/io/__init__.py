"""Reading instances (YAML + CSV, or an Excel workbook) and writing them as workbooks."""

from .instance_io import load_instance, validate_instance, write_workbook

__all__ = ["load_instance", "validate_instance", "write_workbook"]
