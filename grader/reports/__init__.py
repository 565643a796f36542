"""Reports for staff: which exercises a class failed (stats) and which answers look alike (similarity)."""
