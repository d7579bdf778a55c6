"""The one user-facing error type. The CLI prints it as one line and exits non-zero."""


class RagError(Exception):
    """A problem the user can fix; the message names the problem and the fix."""

    exit_code = 2
