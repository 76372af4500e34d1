"""Readers and writers: BRAT standoff (PolNeAR), article files."""

from claimcheck.io.brat import read_brat_dir, read_brat_file
from claimcheck.io.documents import InputError, read_article

__all__ = ["InputError", "read_article", "read_brat_dir", "read_brat_file"]
