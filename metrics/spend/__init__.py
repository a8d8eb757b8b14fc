"""Spend evidence: importing the council's "spending over £500" files, the supplier register and
the local-spend analysis (the CLES/Preston method)."""
