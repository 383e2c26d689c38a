"""Validation of task documents against the contract's JSON Schema.

The schema is the one the TypeScript side validates with (dataplane/task.ts `ingestTaskSchema`),
exported to ingest-task.v1.schema.json by apps/ingest-worker/export-schema.ts; a test fails when the
exported copy is stale. Debian bookworm ships no JSON Schema library with the Python stack the
payload runs on, so this module interprets the keywords that schema uses, and refuses a schema that
uses any other keyword: a new rule on the TypeScript side can not be silently ignored here.
Messages and instance paths follow Ajv's, so both executors name a bad field the same way.
"""
from __future__ import annotations

import json
import math
import re
from importlib import resources
from typing import Any

from . import CONTRACT

KNOWN_KEYWORDS = {
    "$id", "type", "const", "enum", "required", "additionalProperties", "properties", "items",
    "minimum", "minLength", "maxLength", "pattern",
}


class ContractError(ValueError):
    """A task document that does not follow the contract; the message names the field."""


def load_schema() -> dict:
    text = resources.files(__package__).joinpath("ingest-task.v1.schema.json").read_text("utf-8")
    schema = json.loads(text)
    _check_keywords(schema, "#")
    return schema


def _check_keywords(node: Any, where: str) -> None:
    if not isinstance(node, dict):
        return
    unknown = set(node) - KNOWN_KEYWORDS
    if unknown:
        raise ContractError(f"ingest-task.v1.schema.json {where}: keywords {sorted(unknown)} are not understood by this validator")
    for name, sub in (node.get("properties") or {}).items():
        _check_keywords(sub, f"{where}/properties/{name}")
    if isinstance(node.get("items"), dict):
        _check_keywords(node["items"], f"{where}/items")


def _type_ok(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, (int, float))
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    raise ContractError(f"ingest-task.v1.schema.json: unknown type {name}")


def _json_equal(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, but 1.0 is 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _fail(path: str, message: str) -> None:
    raise ContractError(f"ingest task{path}: {message}")


def _validate(value: Any, schema: dict, path: str) -> Any:
    """Checks `value` and returns it with every integral float where an integer is due made an int.

    JSON has one number type: 3.0 is the integer 3 to Ajv and to JavaScript, but to Python a float
    that numpy shapes and slices refuse, so a task the local executor runs would fail here.
    """
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            _fail(path, f"must be {','.join(types)}")
    if "const" in schema and not _json_equal(value, schema["const"]):
        _fail(path, "must be equal to constant")
    if "enum" in schema and not any(_json_equal(value, e) for e in schema["enum"]):
        _fail(path, "must be equal to one of the allowed values")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            _fail(path, f"must NOT have fewer than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            _fail(path, f"must NOT have more than {schema['maxLength']} characters")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            _fail(path, f'must match pattern "{schema["pattern"]}"')
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "minimum" in schema and value < schema["minimum"]:
        _fail(path, f"must be >= {schema['minimum']}")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                _fail(path, f"must have required property '{name}'")
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            for name in value:
                if name not in props:
                    _fail(path, "must NOT have additional properties")
        return {name: _validate(item, props[name], f"{path}/{name}") if name in props else item for name, item in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_validate(item, schema["items"], f"{path}/{i}") for i, item in enumerate(value)]
    if isinstance(value, float) and ("enum" in schema or "const" in schema):
        return next(e for e in schema.get("enum", [schema.get("const")]) if _json_equal(value, e))
    types = schema.get("type")
    if isinstance(value, float) and (types == "integer" or (isinstance(types, list) and "integer" in types and "number" not in types)) and value.is_integer():
        return int(value)
    return value


_schema: dict | None = None


def validate_task(doc: Any) -> dict:
    """Checks one task document; raises ContractError naming the first offending field.

    Returns a copy in which integers written as 3.0 are ints (see _validate).
    """
    global _schema
    if _schema is None:
        _schema = load_schema()
    return _validate(doc, _schema, "")


def validate_task_list(doc: Any) -> list[list[dict]]:
    """Checks the operator's task list (`{contract, chains}`); returns the chains.

    Each task is validated on its own later, so one bad task fails alone, as in the local executor.
    """
    if not isinstance(doc, dict):
        raise ContractError("task list: must be an object with contract and chains")
    if doc.get("contract") != CONTRACT:
        raise ContractError(f"task list/contract: {doc.get('contract')!r} is not {CONTRACT}")
    chains = doc.get("chains")
    if not isinstance(chains, list) or not all(isinstance(c, list) for c in chains):
        raise ContractError("task list/chains: must be an array of arrays of tasks")
    for i, chain in enumerate(chains):
        for j, task in enumerate(chain):
            if not isinstance(task, dict) or not isinstance(task.get("id"), str) or not task["id"]:
                raise ContractError(f"task list/chains/{i}/{j}/id: every task needs a non-empty string id")
    ids = [t["id"] for c in chains for t in c]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ContractError(f"task list/chains: task id {dup!r} appears more than once")
    return chains
