"""The action server's picture of the CRM (actions/crm_types.py) against the app's OpenAPI.

actions/crm_types.py cannot import crm_api's pydantic 2 schemas (the action server runs
pydantic 1), so it writes them again as TypedDicts named after their OpenAPI components.
This test, in crm_api's environment, holds each one to its component: an answer has
exactly the component's keys, a request body (`*Create`/`*Update`) only keys the CRM
knows and every key it requires; each key's type matches (`str` may stand for an enum,
a `Literal` must list the same values, `None` exactly where the schema allows null in an
answer, only where it allows null in a request).
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from actions import crm_types
from actions.crm_client import CrmClient
from crm_api.main import create_app
from tests.crm_api.conftest import make_settings

Schema = dict[str, Any]

MIRRORS = sorted(
    (value for name, value in vars(crm_types).items() if is_typeddict(value) and name[0] != "_"),
    key=lambda mirror: mirror.__name__,
)
JSON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


@pytest.fixture(scope="module")
def components() -> dict[str, Schema]:
    openapi = create_app(make_settings()).openapi()
    schemas: dict[str, Schema] = openapi["components"]["schemas"]
    return schemas


def is_request(mirror: type) -> bool:
    return mirror.__name__.endswith(("Create", "Update"))


def _branches(schema: Schema) -> tuple[list[Schema], bool]:
    """The non-null alternatives of a schema, and whether it allows null."""
    alternatives = schema.get("anyOf", [schema])
    non_null = [a for a in alternatives if a.get("type") != "null"]
    return non_null, len(non_null) < len(alternatives)


def _split_none(annotation: Any) -> tuple[list[Any], bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        members = list(get_args(annotation))
        return [m for m in members if m is not type(None)], type(None) in members
    return [annotation], False


def type_problems(annotation: Any, schema: Schema, *, request: bool, where: str) -> list[str]:
    """Why `annotation` does not describe JSON that `schema` describes ([] when it does)."""
    members, nullable = _split_none(annotation)
    branches, schema_nullable = _branches(schema)
    problems = []
    if nullable and not schema_nullable:
        problems.append(f"{where}: typed optional, the CRM never sends or accepts null")
    if schema_nullable and not nullable and not request:
        problems.append(f"{where}: the CRM may answer null, the type does not allow None")
    for member in members:
        found = [_one_type(member, branch, request=request, where=where) for branch in branches]
        if all(found):  # no alternative of the schema fits this member
            problems.extend(found[0])
    return problems


def _one_type(annotation: Any, schema: Schema, *, request: bool, where: str) -> list[str]:
    if "$ref" in schema:
        component = schema["$ref"].rsplit("/", 1)[-1]
        if getattr(annotation, "__name__", None) != component or not is_typeddict(annotation):
            return [f"{where}: the CRM sends {component}, the type is {annotation!r}"]
        return []
    origin = get_origin(annotation)
    if origin is Literal:
        allowed = schema.get("enum") or ([schema["const"]] if "const" in schema else None)
        if allowed is None or set(get_args(annotation)) != set(allowed):
            return [f"{where}: values {get_args(annotation)} but the CRM's are {allowed}"]
        return []
    if origin is list:
        if schema.get("type") != "array":
            return [f"{where}: a list, the CRM's is {schema.get('type')}"]
        (item,) = get_args(annotation)
        return type_problems(item, schema["items"], request=request, where=f"{where}[]")
    if origin is dict:
        if schema.get("type") != "object" or "additionalProperties" not in schema:
            return [f"{where}: a mapping, the CRM's is {schema.get('type')}"]
        _, value = get_args(annotation)
        values = schema["additionalProperties"]
        return type_problems(value, values, request=request, where=f"{where}{{}}")
    if JSON_TYPES.get(schema.get("type", "")) is not annotation:
        return [f"{where}: {annotation!r}, the CRM's is {schema.get('type')}"]
    return []


@pytest.mark.parametrize("mirror", MIRRORS, ids=lambda mirror: mirror.__name__)
def test_typed_dict_matches_the_openapi_component(
    mirror: type, components: dict[str, Schema]
) -> None:
    assert mirror.__name__ in components, f"crm_api has no schema {mirror.__name__}"
    schema = components[mirror.__name__]
    properties: dict[str, Schema] = schema["properties"]
    keys = set(get_type_hints(mirror))
    if is_request(mirror):
        assert keys <= set(properties), f"keys the CRM does not know: {keys - set(properties)}"
        required = set(schema.get("required", []))
        assert required <= keys, f"keys the CRM requires: {required - keys}"
        assert set(getattr(mirror, "__required_keys__", ())) >= required
    else:
        # crm_api answers every key of its schema (null rather than leaving one out)
        assert keys == set(properties)
    problems = [
        problem
        for key, annotation in get_type_hints(mirror).items()
        for problem in type_problems(
            annotation, properties[key], request=is_request(mirror), where=key
        )
    ]
    assert problems == []


def _typed_dicts_in(annotation: Any) -> set[type]:
    found = {annotation} if is_typeddict(annotation) else set()
    for argument in get_args(annotation):
        found |= _typed_dicts_in(argument)
    return found


def test_every_body_and_answer_of_the_client_is_checked_here() -> None:
    # so that no CrmClient method goes back to dict[str, Any] unnoticed
    checked = set(MIRRORS)
    for name, method in vars(CrmClient).items():
        if name.startswith("_") or not callable(method):
            continue
        hints = get_type_hints(method)
        answers = _typed_dicts_in(hints["return"])
        assert answers, f"CrmClient.{name} returns {hints['return']}, not a crm_types class"
        bodies = {
            td for key, hint in hints.items() if key != "return" for td in _typed_dicts_in(hint)
        }
        assert answers | bodies <= checked, name


@pytest.mark.parametrize(
    ("annotation", "schema", "request_body", "wrong"),
    [
        # a plain string is a string
        (str, {"type": "string"}, False, False),
        # an int is not a string
        (int, {"type": "string"}, False, True),
        # an answer that may be null must be typed optional
        (str, {"anyOf": [{"type": "string"}, {"type": "null"}]}, False, True),
        # a request may always send a value where null is allowed
        (str, {"anyOf": [{"type": "string"}, {"type": "null"}]}, True, False),
        # a request must not send null where the CRM does not accept it
        (str | None, {"type": "string"}, True, True),
        # a Literal lists exactly the enum's values
        (Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}, False, False),
        (Literal["a"], {"type": "string", "enum": ["a", "b"]}, False, True),
        # str may stand for an enum
        (str, {"type": "string", "enum": ["a", "b"]}, False, False),
        # lists and mappings look inside
        (list[int], {"type": "array", "items": {"type": "string"}}, False, True),
        (
            dict[str, int],
            {"type": "object", "additionalProperties": {"type": "integer"}},
            False,
            False,
        ),
        # a component reference needs the TypedDict of that name
        (crm_types.ProductPublic, {"$ref": "#/components/schemas/ProductPublic"}, False, False),
        (crm_types.RatePublic, {"$ref": "#/components/schemas/ProductPublic"}, False, True),
    ],
)
def test_type_check_itself(
    annotation: Any, schema: Schema, request_body: bool, wrong: bool
) -> None:
    problems = type_problems(annotation, schema, request=request_body, where="field")
    assert bool(problems) is wrong, problems
