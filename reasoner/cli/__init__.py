"""The ``necessity`` command line: one module per command, wired together in :mod:`.main`
(the ``necessity`` entry point is ``reasoner.cli.main:main``)."""
