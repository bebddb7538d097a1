"""Allow `python -m cachelint`."""

from cachelint.cli import main

if __name__ == "__main__":
    main()
