#!/usr/bin/env python3
"""Package.swift's dependencies against the imports: every module a target imports from this
package is declared as its direct dependency (not reached through another target), and no
declared dependency goes unimported. Executables a test target runs (printedge, printedged,
printedge-sim) are declared for build order and not imported. Exit 1 with the list otherwise.

Run from the package root: `python3 tools/check-layering.py` (CI runs it before the tests)."""
import glob
import json
import re
import subprocess
import sys

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
targets = {target["name"]: target for target in package["targets"]}
executables = {name for name, target in targets.items() if target["type"] == "executable"}
problems = []
for name, target in sorted(targets.items()):
    if target["type"] in ("system", "binary", "plugin"):
        continue
    path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
    imports = set()
    for source in glob.glob(path + "/**/*.swift", recursive=True):
        with open(source, encoding="utf-8") as file:
            for line in file:
                match = re.match(r"\s*(?:@\w+\s+)*import\s+(\w+)", line)
                if match:
                    imports.add(match.group(1))
    declared = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    undeclared = sorted(module for module in imports if module in targets and module not in declared and module != name)
    unused = sorted(module for module in declared - imports if module in targets and module not in executables)
    if undeclared:
        problems.append(f"{name} imports {', '.join(undeclared)} without declaring it")
    if unused:
        problems.append(f"{name} declares {', '.join(unused)} but imports none of it")
for problem in problems:
    print(f"Package.swift: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
