"""``python -m kg.cli``: the command line, as the ``kg`` command runs it."""
from kg.cli.app import main

main()
