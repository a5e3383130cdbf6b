#!/usr/bin/env python3
"""Checks fleet messages against the JSON Schemas in docs/mqtt/schemas.

Reads lines as `mosquitto_sub -v` prints them ("<topic> <payload>"), from the files given or
standard input, picks each message's schema from its topic (docs/mqtt.md), and checks that the
envelope's `type` and `printer` match the topic. Commands (`cmd`, `files/...`) are skipped.

    mosquitto_sub -h broker -t 'printedge/v1/farm/#' -v | python3 docs/mqtt/validate.py -

Prints one line per invalid message and exits 1 if there was any, 0 otherwise.
Needs python3-jsonschema (Debian) or `pip install jsonschema`.
"""
import json
import pathlib
import sys

import jsonschema

SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"


def schema_name(levels):
    """The schema for a topic's levels after <prefix>/<fleet>, or None to skip it."""
    if len(levels) == 3 and levels[0] == "agent" and levels[2] == "online":
        return "agent"
    if len(levels) == 2 and levels[1] in ("events", "status", "telemetry"):
        return {"events": "event"}.get(levels[1], levels[1])
    if len(levels) == 3 and levels[1] == "jobs":
        return "job"
    if len(levels) == 3 and levels[1:] == ["cmd", "reply"]:
        return "reply"
    return None


def main(arguments):
    validators = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[path.stem] = jsonschema.Draft202012Validator(schema)
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
        stream = sys.stdin if name == "-" else open(name, encoding="utf-8")
        for number, line in enumerate(stream, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            topic, _, payload = line.partition(" ")
            levels = topic.split("/")[prefix_levels:]
            kind = schema_name(levels)
            if kind is None:
                continue
            checked += 1
            where = f"{name}:{number} {topic}"
            try:
                message = json.loads(payload)
            except json.JSONDecodeError as error:
                print(f"{where}: not JSON: {error}")
                problems += 1
                continue
            errors = sorted(validators[kind].iter_errors(message), key=lambda e: list(e.path))
            for error in errors:
                path = "/".join(str(part) for part in error.path) or "(top)"
                print(f"{where}: {kind} schema, at {path}: {error.message}")
            problems += len(errors)
            if kind != "agent" and isinstance(message, dict) and message.get("printer") != levels[0]:
                print(f"{where}: envelope printer {message.get('printer')!r} is not the topic's {levels[0]!r}")
                problems += 1
    print(f"{checked} message(s) checked, {problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
