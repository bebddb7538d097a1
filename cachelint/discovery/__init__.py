"""Discovery: from the paths on the command line to the files to lint.

`walk` expands paths (directories, globs, stdin), applies `exclude`/`extend-exclude` and
`.gitignore` (`gitignore`), and leaves out generated code.
"""
