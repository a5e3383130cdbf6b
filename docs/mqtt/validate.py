#!/usr/bin/env python3
"""Checks fleet messages against the JSON Schemas in docs/mqtt/schemas.

Reads lines as `mosquitto_sub -v` prints them ("<topic> <payload>"), from the files given or
standard input, picks each message's schema from its topic (docs/mqtt.md), and checks that the
envelope's `type` and `printer` match the topic. A reply is checked twice: its envelope against
reply.json, and its data against the reply schema of the command it answers,
reply-<command>.json, or reply-refusal.json when it names none of the commands (not JSON, an
unknown command, a refused chunk). Commands (`cmd`, `files/...`) are skipped.

Every schema of the directory is registered under its `$id` and its file's URI, so a `$ref`
from one schema into another resolves (reply-status_request.json takes its printer_status
from status.json, each reply-<command>.json its error branch from reply-error.json).

    mosquitto_sub -h broker -t 'printedge/v1/farm/#' -v | python3 docs/mqtt/validate.py -

Prints one line per problem, naming the schema file it breaks, and exits 1 if there was any,
0 otherwise. Needs python3-jsonschema (Debian 12's 4.10 and later) or `pip install jsonschema`.
"""
import contextlib
import inspect
import json
import pathlib
import sys

import jsonschema

SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"


def schema_name(levels):
    """The schema for a topic's levels after <prefix>/<fleet>, or None to skip it."""
    if len(levels) == 3 and levels[0] == "agent" and levels[2] == "online":
        return "agent"
    if len(levels) == 2 and levels[1] in ("events", "status", "telemetry", "calibration"):
        return {"events": "event"}.get(levels[1], levels[1])
    if len(levels) == 3 and levels[1] == "jobs":
        return "job"
    if len(levels) == 3 and levels[1:] == ["cmd", "reply"]:
        return "reply"
    return None


def validator_factory(documents):
    """A function building, for a URI of `documents` ({uri: schema}), a validator whose `$ref`s
    resolve among all of them.

    jsonschema 4.18 and later resolve through a `referencing` registry and deprecate
    RefResolver (a warning on every use); earlier versions, Debian 12's 4.10 among them, have
    only RefResolver with a store. Told apart by the validator's parameters rather than by
    version numbers or by importing `referencing`, which may be installed beside an old
    jsonschema. Each validator starts from a `{"$ref": uri}`, so a schema without an `$id` gets
    its file's URI as the base of its relative references.
    """
    if "registry" in inspect.signature(jsonschema.Draft202012Validator).parameters:
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            (uri, DRAFT202012.create_resource(schema)) for uri, schema in documents.items())
        return lambda uri: jsonschema.Draft202012Validator({"$ref": uri}, registry=registry)

    def with_resolver(uri):
        root = {"$ref": uri}
        return jsonschema.Draft202012Validator(root, resolver=jsonschema.RefResolver("", root, store=documents))
    return with_resolver


class SchemaSet:
    """Every schema of a directory, checked against the draft 2020-12 meta-schema, by file
    name without `.json`."""

    def __init__(self, directory):
        documents = {}
        owners = {}
        uris = {}
        for path in sorted(directory.glob("*.json")):
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
                jsonschema.Draft202012Validator.check_schema(schema)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{error.lineno}: not JSON: {error.msg}")
            except jsonschema.SchemaError as error:
                at = "/".join(str(part) for part in error.path) or "(top)"
                raise SystemExit(f"{path}: not a draft 2020-12 schema, at {at}: {error.message}")
            names = [path.as_uri()]
            if "$id" in schema:
                if schema["$id"] in owners:
                    raise SystemExit(f"{path}: $id {schema['$id']} is also the $id of {owners[schema['$id']]}; give each schema its own")
                owners[schema["$id"]] = path.name
                names.insert(0, schema["$id"])
            for name in names:
                documents[name] = schema
            uris[path.stem] = names[0]
        make = validator_factory(documents)
        self.validators = {name: make(uri) for name, uri in uris.items()}

    def __contains__(self, name):
        return name in self.validators

    def problems(self, name, instance, at=()):
        """One line per error of `instance` (found at `at` in its message) against schema
        `name`, naming the schema's file."""
        if name not in self.validators:
            return [f"no schema {name}.json in {SCHEMAS}"]
        errors = sorted(self.validators[name].iter_errors(instance), key=lambda error: [str(part) for part in error.absolute_path])
        return [f"{name}.json, {describe(error, at)}" for error in errors]


def describe(error, at=()):
    """Where an error is and what it says. When no alternative of a oneOf/anyOf matches,
    jsonschema says only that; the alternative with the fewest errors is the one the message
    was most likely meant to be, so its errors are shown instead."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        alternatives = {}
        for suberror in error.context:
            alternatives.setdefault(suberror.relative_schema_path[0], []).append(suberror)
        nearest = min(alternatives.values(), key=len)
        details = "; ".join(describe(suberror, at) for suberror in nearest)
        return f"{details} (no alternative of its {error.validator} matches; nearest shown)"
    path = "/".join(str(part) for part in (*at, *error.absolute_path)) or "(top)"
    return f"at {path}: {error.message}"


def reply_schema(data, schemas):
    """The schema of a reply's data: that of the command it names, if it names one."""
    command = data.get("command")
    if isinstance(command, str) and f"cmd-{command}" in schemas:
        return f"reply-{command}"
    return "reply-refusal"


def message_problems(line, prefix_levels, schemas):
    """None for a line of a topic that is not checked (a command, a chunk), else the problems
    of its message."""
    topic, _, payload = line.partition(" ")
    levels = topic.split("/")[prefix_levels:]
    kind = schema_name(levels)
    if kind is None:
        return None
    try:
        message = json.loads(payload)
    except json.JSONDecodeError as error:
        return [f"not JSON: {error}"]
    found = schemas.problems(kind, message)
    if kind == "reply" and isinstance(message, dict) and isinstance(message.get("data"), dict):
        found += schemas.problems(reply_schema(message["data"], schemas), message["data"], at=("data",))
    if kind != "agent" and isinstance(message, dict) and message.get("printer") != levels[0]:
        found.append(f"envelope printer {message.get('printer')!r} is not the topic's {levels[0]!r}")
    return found


def main(arguments):
    schemas = SchemaSet(SCHEMAS)
    prefix_levels = 3  # printedge/v1/<fleet>; a longer topic_prefix: pass --levels N
    files = []
    index = 0
    while index < len(arguments):
        if arguments[index] == "--levels":
            prefix_levels = int(arguments[index + 1])
            index += 2
            continue
        files.append(arguments[index])
        index += 1
    problems = 0
    checked = 0
    for name in files or ["-"]:
        # Line by line as they come: a live `mosquitto_sub` is reported on while it runs.
        with contextlib.nullcontext(sys.stdin) if name == "-" else open(name, encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                line = line.rstrip("\n")
                found = message_problems(line, prefix_levels, schemas) if line else None
                if found is None:
                    continue
                checked += 1
                for problem in found:
                    print(f"{name}:{number} {line.partition(' ')[0]}: {problem}", flush=True)
                problems += len(found)
    print(f"{checked} message(s) checked, {problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
