"""How ls_widget's records reach the disk: ``files`` (private, atomic JSON files) and ``persistence`` (where
secrets are kept: in those files, or in the system keyring). ``ls_widget.store`` builds its record stores on them.
"""
