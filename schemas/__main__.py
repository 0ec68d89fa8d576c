"""Write the committed JSON Schemas: ``python -m schemas export [DIRECTORY]``."""

import sys
from pathlib import Path

from schemas.export import export_json_schemas


def main(argv: list[str]) -> int:
    """Run the command; the default directory is ``schemas/json`` inside the package."""
    if not argv or argv[0] != "export" or len(argv) > 2:
        print("usage: python -m schemas export [DIRECTORY]", file=sys.stderr)
        return 2
    directory = Path(argv[1]) if len(argv) == 2 else Path(__file__).parent / "json"
    for path in export_json_schemas(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
