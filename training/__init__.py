"""Training code: data preparation, type labels, and fitting of claimcheck's models."""
