"""claimcheck's error types: one base, :class:`ClaimcheckError`, for every problem the
user can fix (a file, a model folder, a config, an option value).

Its message is meant for the user as it stands, one line naming the file or key; the
CLI prints it and exits with :attr:`ClaimcheckError.exit_code`, without a traceback.
Anything else that escapes is a bug and keeps its traceback. A leaf module: it imports
nothing of claimcheck, so every module can raise these.
"""

from __future__ import annotations


class ClaimcheckError(Exception):
    """A problem with what claimcheck was given, explained in one line."""

    #: the CLI's exit status for this error
    exit_code: int = 1


class ModelError(ClaimcheckError, RuntimeError):
    """A model folder that is missing, corrupt, of an unknown architecture or with settings
    its architecture does not take."""


class ConfigError(ClaimcheckError, ValueError):
    """A setting that does not match its schema (a YAML config key, a scoring-weights file,
    an option value such as a precision); the message names the key."""


class DataError(ClaimcheckError, ValueError):
    """Labelled data that does not match the schema; the message names the file, line and field."""


class InputError(ClaimcheckError, ValueError):
    """An article file that cannot be read as text (missing, binary, not UTF-8, empty)."""


class RatingsError(ClaimcheckError, ValueError):
    """An outlet-ratings CSV that cannot be used; the message names the file and line."""


class BatchError(ClaimcheckError, ValueError):
    """A batch run that cannot start or go on (bad input or output, a finished output)."""


class OutputError(ClaimcheckError, ValueError):
    """An output that cannot be written (its folder missing or read-only), or that is one of
    the command's own inputs; found before anything is loaded or written."""


class DashboardError(ClaimcheckError, ValueError):
    """Claim rows the dashboard cannot read: a missing or empty file, rows that are not
    claimcheck's claim rows; the message names the file (and line or row)."""
