"""The ``kopdes`` command: Django's management commands under one friendly name.

``kopdes demo``, ``kopdes serve``, ``kopdes verify`` ... are management commands in the
apps; ``kopdes manage <cmd>`` reaches any other Django command. Honours ``DATABASE_URL``.

Django's debug mode (tracebacks and the URL map on error pages) is off unless the server is
started with ``--dev`` (``kopdes serve --dev``, ``kopdes demo --dev``) or ``KOPDES_DEBUG=1``
is set: a koperasi runs exactly what the README shows.
"""

from __future__ import annotations

import os
import sys

#: The commands whose ``--dev`` switch turns Django's debug mode on.
DEV_COMMANDS = frozenset({"serve", "demo"})


def wants_debug(argv: list[str]) -> bool:
    """True when ``argv`` (``[prog, command, ...]``) starts a server with ``--dev``."""
    args = argv[1:]
    if args and args[0] == "manage":
        args = args[1:]
    return bool(args) and args[0] in DEV_COMMANDS and "--dev" in args[1:]


def apply_dev_flag(argv: list[str]) -> None:
    """Set ``KOPDES_DEBUG=1`` before the settings load when ``argv`` asks for ``--dev``
    (an explicit ``KOPDES_DEBUG`` in the environment is kept)."""
    if wants_debug(argv):
        os.environ.setdefault("KOPDES_DEBUG", "1")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.config.settings")
    apply_dev_flag(argv)
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and argv[1] == "manage":
        argv = [argv[0], *argv[2:]]
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `kopdes loan-schedule` runs loan_schedule
    execute_from_command_line(["kopdes", *argv[1:]])


if __name__ == "__main__":
    main()
