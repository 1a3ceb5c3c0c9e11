"""The ``kopdes`` command: Django's management commands under one friendly name.

``kopdes demo``, ``kopdes serve``, ``kopdes verify`` ... are management commands in the
apps; ``kopdes manage <cmd>`` reaches any other Django command. Honours ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.config.settings")
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and argv[1] == "manage":
        argv = [argv[0], *argv[2:]]
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `kopdes loan-schedule` runs loan_schedule
    execute_from_command_line(["kopdes", *argv[1:]])


if __name__ == "__main__":
    main()
