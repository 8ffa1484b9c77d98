"""The exit statuses of claimwatch's commands, for the commands and their helpers alike."""

from __future__ import annotations

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2
EXIT_FEEDS_FAILED, EXIT_REFUSED = 3, 4  # ``once``: done, but nothing polled or not all sent
