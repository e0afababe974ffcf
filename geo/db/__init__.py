"""Layers in PostgreSQL/PostGIS: a ``[[layer]]`` with ``source`` and ``table`` instead of ``file``.

* :mod:`geo.db.connect`: database URLs (never a password) and connections;
* :mod:`geo.db.tables`: the layout of a layer table and reading its rows as features;
* :mod:`geo.db.transfer`: ``db push`` (files into tables), ``db pull`` (back), ``db init``;
* :mod:`geo.db.notify`: the triggers that ``NOTIFY`` on commit, and the watcher's listener.

psycopg (3) is imported only when a database layer is met, so file-only work never needs it.
"""
