"""Per-student feedback pages with every hidden test kept out."""
