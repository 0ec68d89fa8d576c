"""JSON Schema export of the topics, for partners who produce or consume events without Python."""

import json
from pathlib import Path
from typing import Any

from schemas.topics import TOPICS, TopicSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_SUFFIX = ".schema.json"


def json_schema(spec: TopicSpec) -> dict[str, Any]:
    """Return the JSON Schema of one topic's events.

    Topics this service consumes are described as what it accepts (pydantic's validation
    mode); topics it produces as what it writes (serialisation mode, every field required).
    """
    body = spec.adapter.json_schema(mode="serialization" if spec.outbound else "validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": spec.name + SCHEMA_SUFFIX,
        "title": spec.name,
        "description": spec.description,
        "x-kafka-key": spec.key_field,
        **body,
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema of every topic, by topic base name."""
    return {name: json_schema(spec) for name, spec in TOPICS.items()}


def render(schema: dict[str, Any]) -> str:
    """Render a schema as the committed files hold it: 2-space indent, sorted keys, newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_json_schemas(directory: Path) -> list[Path]:
    """Write ``<topic>.schema.json`` for every topic into ``directory``.

    Files whose content is already right are left untouched; the output is byte-stable.

    Returns:
        The paths of all the topic schema files, written or not, sorted.

    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in json_schemas().items():
        path = directory / (name + SCHEMA_SUFFIX)
        text = render(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return sorted(paths)
