"""Mutation testing of the core: run mutmut on each module against its unit tests and print its score.

Run through scripts/mutation.sh. The modules, their tests and goals are in scripts/mutation.toml; mutants
that no test can kill are listed, each with the reason, in scripts/mutation-equivalents.toml.

mutmut 3 reads its settings from the pyproject.toml of the folder it runs in, copies the project into
`mutants/` there and runs pytest inside that copy. So each module gets a scratch copy of the project in
`mutants/<module>/` (git-ignored) whose pyproject.toml carries that module's [tool.mutmut] table; mutmut then
makes `mutants/<module>/mutants/`. Everything is rebuilt on each run: a score never rests on old results.

Score = killed / (mutants - listed equivalents). A mutant no test runs counts as a survivor. An equivalent
entry that matches no mutant, or a mutant the tests now kill, fails the run: the list stays true.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES_FILE = ROOT / "scripts" / "mutation.toml"
EQUIVALENTS_FILE = ROOT / "scripts" / "mutation-equivalents.toml"
SCRATCH = ROOT / "mutants"

# mutmut's exit codes (mutmut/stats.py): which count as the tests noticing the mutant.
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
STATUS_BY_EXIT_CODE = {
    1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious",
    36: "timeout", 37: "caught by type check", 2: "interrupted", None: "not checked",
    -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout", -11: "segfault", -9: "segfault",
}
# Pytest options for every mutant run: a fixed Hypothesis seed, so a score does not depend on luck.
PYTEST_ARGS = ["-p", "no:cacheprovider", "--hypothesis-seed=0"]


@dataclass(frozen=True)
class Module:
    """One score: a file, or several files (`path` a list) mutated in one run against the same tests."""

    key: str
    path: str | list[str]
    tests: list[str]
    goal: float
    fast: bool = False
    registered: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)

    @property
    def shown(self) -> str:
        """The path, or for several files their folder and count: `kiosk/core/session/ (9 files)`."""
        if isinstance(self.path, str):
            return self.path
        return f"{os.path.commonpath(self.paths)}/ ({len(self.paths)} files)"

    def path_of(self, mutant_name: str) -> str:
        """The file a mutant (`kiosk.core.session.progress.x__back__mutmut_3`) was made in."""
        for path in self.paths:
            if mutant_name.startswith(_dotted(path) + "."):
                return path
        raise SystemExit(f"{self.key}: mutant {mutant_name} is in none of {', '.join(self.paths)}")


def _dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


@dataclass(frozen=True)
class Equivalent:
    module: str
    function: str
    change: str
    why: str


@dataclass
class Mutant:
    name: str
    status: str
    diff: str = ""

    def function(self, module: Module) -> str:
        """`mask_phone` or `Identity.age_on` from `kiosk.identity.xǁIdentityǁage_on__mutmut_3`; in a module of
        several files, with the file's name first: `progress._back`."""
        path = module.path_of(self.name)
        local = self.name.removeprefix(_dotted(path) + ".").rpartition("__mutmut_")[0]
        method = local.startswith("xǁ")
        name = ".".join(local.removeprefix("xǁ").split("ǁ")) if method else local.removeprefix("x_")
        return name if isinstance(module.path, str) else f"{Path(path).stem}.{name}"

    def change(self) -> str:
        return _change_of(self.diff)


def _change_of(diff: str) -> str:
    """The removed and added lines of a diff, without their indentation: what the mutation does."""
    lines = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("---", "+++"))]
    return "\n".join(line[0] + line[1:].strip() for line in lines)


def load_modules() -> dict[str, Module]:
    data = tomllib.loads(MODULES_FILE.read_text(encoding="utf-8"))
    return {key: Module(key=key, **value) for key, value in data["modules"].items()}


def load_equivalents(modules: dict[str, Module]) -> list[Equivalent]:
    data = tomllib.loads(EQUIVALENTS_FILE.read_text(encoding="utf-8"))
    found = []
    for entry in data.get("equivalent", []):
        if entry["module"] not in modules:
            raise SystemExit(f"{EQUIVALENTS_FILE.name}: unknown module {entry['module']!r}")
        if not entry.get("why", "").strip():
            raise SystemExit(f"{EQUIVALENTS_FILE.name}: {entry['module']} {entry['function']}: no reason given")
        found.append(Equivalent(entry["module"], entry["function"], _normalise(entry["change"]), entry["why"]))
    return found


def _normalise(change: str) -> str:
    return "\n".join(line[0] + line[1:].strip() for line in change.strip().splitlines() if line.strip())


# ---- the scratch copy ----

def project_files() -> list[str]:
    """The project as git sees it, uncommitted and untracked (not ignored) files included."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                         check=True, capture_output=True).stdout.decode()
    return [name for name in out.split("\0") if name and (ROOT / name).is_file()]


def make_scratch(module: Module) -> Path:
    work = SCRATCH / module.key
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    top = {name.split("/", 1)[0] for name in project_files() if "/" in name}
    for name in project_files():
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    if module.registered:
        for path in module.paths:
            unwrap_registrations(work / path, module.registered)
    packages = sorted({path.split("/", 1)[0] for path in module.paths})
    if len(packages) != 1:
        raise SystemExit(f"{module.key}: the files of one module must be in one package, not {', '.join(packages)}")
    package = packages[0]
    settings = {
        "source_paths": [package],
        "only_mutate": module.paths,
        "also_copy": sorted(top - {package, "tests", ".github"}),
        "pytest_add_cli_args_test_selection": module.tests,
        "pytest_add_cli_args": PYTEST_ARGS,
    }
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    if re.search(r"^\[tool\.mutmut\]", text, re.MULTILINE):
        raise SystemExit("pyproject.toml has a [tool.mutmut] table: the settings live in scripts/mutation.toml")
    table = "\n".join(f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in settings.items())
    pyproject.write_text(f"{text}\n\n[tool.mutmut]\n{table}\n", encoding="utf-8")
    return work


def unwrap_registrations(path: Path, decorators: list[str]) -> None:
    """Rewrite `@on(...)\\ndef f` as `def f` followed by `f = on(...)(f)`, the same registration in the same
    order, so mutmut (which skips decorated functions) mutates the function's body."""
    import libcst as cst

    class Unwrap(cst.CSTTransformer):
        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            body: list[cst.CSTNode] = []
            for statement in updated.body:
                if not isinstance(statement, cst.FunctionDef) or not statement.decorators:
                    body.append(statement)
                    continue
                names = [_decorator_name(d.decorator) for d in statement.decorators]
                if not all(name in decorators for name in names):
                    if any(name in decorators for name in names):
                        raise SystemExit(f"{path}: {statement.name.value} mixes registrations and other decorators")
                    body.append(statement)
                    continue
                body.append(statement.with_changes(decorators=[]))
                target = cst.Name(statement.name.value)
                value: cst.BaseExpression = target
                for decorator in reversed(statement.decorators):  # the innermost decorator applies first
                    value = cst.Call(func=decorator.decorator, args=[cst.Arg(value)])
                body.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(target)], value)]))
            return updated.with_changes(body=body)

    source = path.read_text(encoding="utf-8")
    path.write_text(cst.parse_module(source).visit(Unwrap()).code, encoding="utf-8")


def _decorator_name(node: object) -> str:
    import libcst as cst

    if isinstance(node, cst.Call):
        node = node.func
    return node.value if isinstance(node, cst.Name) else ""


# ---- running and reading mutmut ----

def run_mutmut(module: Module, work: Path) -> float:
    mutmut = Path(sys.executable).parent / "mutmut"
    log = work / "mutmut.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MUTANT_UNDER_TEST", None)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        # One worker: the machines this runs on are shared.
        result = subprocess.run([str(mutmut), "run", "--max-children", "1"], cwd=work, stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{module.key}: mutmut failed (exit {result.returncode}); end of {log}:\n{tail}")
    return time.monotonic() - started


def read_mutants(module: Module, work: Path) -> list[Mutant]:
    mutants = []
    for path in module.paths:
        meta = json.loads((work / "mutants" / (path + ".meta")).read_text(encoding="utf-8"))
        mutants += [Mutant(name, STATUS_BY_EXIT_CODE.get(code, "suspicious"))
                    for name, code in meta["exit_code_by_key"].items()]
    undetected = [m for m in mutants if m.status not in DETECTED]
    if undetected:
        diffs = _diffs(work, module, [m.name for m in undetected])
        for mutant in undetected:
            mutant.diff = diffs[mutant.name]
    return mutants


def _diffs(work: Path, module: Module, names: list[str]) -> dict[str, str]:
    """The diffs of some mutants, from mutmut's own code run in the scratch folder."""
    program = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "paths = json.loads(sys.stdin.read())\n"
        "print(json.dumps({n: get_diff_for_mutant(n, path=path) for n, path in paths.items()}))\n"
    )
    paths = {name: module.path_of(name) for name in names}
    result = subprocess.run([sys.executable, "-c", program], cwd=work, input=json.dumps(paths),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def detected_diffs(work: Path, module: Module, mutants: list[Mutant], wanted: list[Equivalent]) -> set[str]:
    """The changes of killed mutants in the functions the equivalents name: to tell a killed entry."""
    functions = {e.function for e in wanted}
    names = [m.name for m in mutants if m.status in DETECTED and m.function(module) in functions]
    return {f"{Mutant(n, '').function(module)}\n{_change_of(d)}" for n, d in _diffs(work, module, names).items()}


# ---- the report ----

@dataclass
class Score:
    module: Module
    total: int
    detected: int
    equivalent: int
    survivors: list[Mutant]
    problems: list[str]
    seconds: float

    @property
    def percent(self) -> float:
        counted = self.total - self.equivalent
        return 100.0 if counted == 0 else 100.0 * self.detected / counted

    @property
    def ok(self) -> bool:
        return self.percent >= self.module.goal and not self.problems


def score(module: Module, work: Path, equivalents: list[Equivalent], seconds: float) -> Score:
    mutants = read_mutants(module, work)
    mine = [e for e in equivalents if e.module == module.key]
    # A list per change: one function may hold the same line twice, and then the same mutant twice (each
    # listed once, so an entry still stands for exactly one mutant).
    unmatched: dict[tuple[str, str], list[Equivalent]] = {}
    for entry in mine:
        unmatched.setdefault((entry.function, entry.change), []).append(entry)
    survivors, equivalent = [], 0
    for mutant in mutants:
        if mutant.status in DETECTED:
            continue
        key = (mutant.function(module), mutant.change())
        if unmatched.get(key):
            unmatched[key].pop()
            equivalent += 1
        else:
            survivors.append(mutant)
    left = [entry for entries in unmatched.values() for entry in entries]
    problems = []
    if left:
        killed = detected_diffs(work, module, mutants, left)
        for entry in left:
            state = "the tests kill it now" if f"{entry.function}\n{entry.change}" in killed else "no such mutant"
            problems.append(f"equivalent entry {entry.function}: {entry.change.replace(chr(10), ' / ')}: {state}; "
                            "remove it")
    detected = sum(m.status in DETECTED for m in mutants)
    return Score(module, len(mutants), detected, equivalent, survivors, problems, seconds)


def report(result: Score, verbose: bool) -> None:
    module = result.module
    mark = "ok" if result.ok else "BELOW GOAL" if not result.problems else "STALE EQUIVALENTS"
    print(f"{module.key:<14} {module.shown:<36} {result.total:>5} mutants {result.detected:>5} killed "
          f"{result.equivalent:>3} equivalent {len(result.survivors):>4} survived  "
          f"{result.percent:5.1f}% (goal {module.goal:g}%)  {result.seconds:5.0f} s  {mark}")
    for problem in result.problems:
        print(f"    {problem}")
    if result.survivors and (verbose or not result.ok):
        for mutant in result.survivors:
            print(f"    {mutant.status}: {mutant.name} ({mutant.function(module)})")
            for line in mutant.change().splitlines():
                print(f"        {line}")


def main(argv: list[str] | None = None) -> int:
    modules = load_modules()
    parser = argparse.ArgumentParser(prog="scripts/mutation.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="*", help=f"module keys or paths (default: all): {', '.join(modules)}")
    parser.add_argument("--fast", action="store_true", help="only the modules marked fast (run in CI)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the survivors of modules at goal too")
    parser.add_argument("--json", metavar="FILE", help="also write the scores to FILE")
    args = parser.parse_args(argv)
    by_path = {path: m for m in modules.values() for path in m.paths}
    chosen = []
    for name in args.module:
        if name not in modules and name not in by_path:
            parser.error(f"unknown module {name!r}; known: {', '.join(modules)}")
        chosen.append(modules.get(name) or by_path[name])
    if args.fast:
        chosen += [m for m in modules.values() if m.fast and m not in chosen]
    chosen = chosen or list(modules.values())
    for module in chosen:
        missing = [p for p in [*module.paths, *module.tests] if not (ROOT / p).is_file()]
        if missing:
            raise SystemExit(f"{module.key}: missing {', '.join(missing)}")
    equivalents = load_equivalents(modules)

    results = []
    for module in chosen:
        print(f"[mutation] {module.key}: mutating {module.shown} against {len(module.tests)} test files",
              file=sys.stderr, flush=True)
        work = make_scratch(module)
        seconds = run_mutmut(module, work)
        result = score(module, work, equivalents, seconds)
        results.append(result)
        report(result, args.verbose)
        sys.stdout.flush()
    if args.json:
        Path(args.json).write_text(json.dumps([
            {"module": r.module.key, "path": r.module.path, "mutants": r.total, "killed": r.detected,
             "equivalent": r.equivalent, "survived": len(r.survivors), "score": round(r.percent, 1),
             "goal": r.module.goal, "seconds": round(r.seconds)} for r in results], indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
