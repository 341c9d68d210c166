"""The API's documentation as a GOV.UK page, rendered on the server from the OpenAPI schema, so
it needs no script (the content security policy allows none inline) and reads like the rest of
the service."""

from functools import lru_cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=1)
def api_schema():
    """The OpenAPI 3 document of the API, as drf-spectacular makes it (made once per process)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, document):
    """``schema`` with a ``$ref`` followed to the component it names."""
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _fields(schema, document, prefix=""):
    """(name, type, description) of every field of ``schema``, nested ones as ``a.b``."""
    schema = _resolve(schema, document)
    rows = []
    for name, field in schema.get("properties", {}).items():
        field = _resolve(field, document)
        if field.get("type") == "object" or "properties" in field:
            rows.extend(_fields(field, document, prefix=f"{prefix}{name}."))
            continue
        kind = field.get("format") or field.get("type", "")
        rows.append((f"{prefix}{name}", kind, field.get("description", "")))
    return rows


def operations():
    """Each operation of the API, in the order of its paths, with what a reader needs."""
    document = api_schema()
    found = []
    for path, methods in document["paths"].items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation["operationId"],
                    "description": operation.get("description", ""),
                    "parameters": [
                        (
                            parameter["name"],
                            parameter["schema"].get("format") or parameter["schema"].get("type"),
                            parameter.get("description", ""),
                        )
                        for parameter in operation.get("parameters", [])
                    ],
                    "scope": operation.get("x-scope", ""),
                    "responses": [
                        (
                            status,
                            response.get("description", ""),
                            _result_fields(response, document),
                        )
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def _result_fields(response, document):
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return []
    schema = _resolve(schema, document)
    results = schema.get("properties", {}).get("results")
    if results is not None:  # a page of results: the fields of one
        return _fields(results.get("items", {}), document)
    return _fields(schema, document)
