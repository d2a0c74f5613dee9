#!/usr/bin/env python3
"""Checks the launch material in deploy/ against the nshap executable.

  check_deploy.py --nshap PATH [--only manifests|systemd|local|slurm]...

- manifests: every Kubernetes YAML document parses; the coordinator Deployment, its Service, the
  worker Job and their probes, ports, volumes and Secret keys fit together; `kubectl kustomize`
  builds them when kubectl is installed.
- flags: every `nshap SUBCOMMAND --flag` in the manifests, systemd units and scripts (including
  flags inside the variables they expand) exists in `nshap SUBCOMMAND --help`.
- systemd: the units parse as INI files with the expected sections; `systemd-analyze verify`
  accepts them when it is installed.
- local: deploy/local/nshap-cluster.sh runs a small cluster to the end (plain, then CURVE).
- slurm: deploy/slurm/nshap.sbatch runs to the end under fake sbatch/srun/scontrol.
Exits non-zero with a message for every problem found.
"""
import argparse, configparser, glob, os, re, shlex, shutil, socket, subprocess, sys, tempfile

DEPLOY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
problems = []

def problem(text):
    problems.append(text)
    print("PROBLEM: " + text)

# ---------------------------------------------------------------- nshap invocations and flags

def help_text(nshap, sub, cache={}):
    if sub not in cache:
        r = subprocess.run([nshap] + sub.split() + ["--help"], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            problem(f"'nshap {sub} --help' failed: {r.stderr.strip()}")
        cache[sub] = r.stdout
    return cache[sub]

def check_invocation(nshap, source, tokens, extra_flags=()):
    """tokens: the words after the nshap executable."""
    words = [t for t in tokens if t]
    if not words:
        problem(f"{source}: nshap without a subcommand")
        return
    sub = words[0]
    rest = words[1:]
    if sub == "keys" and rest:
        sub, rest = "keys " + rest[0], rest[1:]
    top = help_text(nshap, "")
    if sub.split()[0] not in top:
        problem(f"{source}: 'nshap {sub}' is not a subcommand (nshap --help lists none of that name)")
        return
    text = help_text(nshap, sub)
    flags = [t.split("=", 1)[0] for t in rest if t.startswith("--")] + list(extra_flags)
    for flag in flags:
        if not re.search(re.escape(flag) + r"(?![\w-])", text):
            problem(f"{source}: 'nshap {sub}' has no option {flag}")
    return sub, flags

def shell_variables(text):
    """Flags in variable assignments and ${VAR:-default} defaults, by variable name."""
    found = {}
    for m in re.finditer(r'(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$', text):
        found.setdefault(m.group(1), []).extend(re.findall(r'(--[a-z][a-z0-9-]*)', m.group(2)))
    for m in re.finditer(r'\$\{([A-Za-z_][A-Za-z0-9_]*):-((?:[^{}]|\{[^}]*\})*)\}', text):
        found.setdefault(m.group(1), []).extend(re.findall(r'(--[a-z][a-z0-9-]*)', m.group(2)))
    return found

def check_script(nshap, path):
    text = open(path).read()
    variables = shell_variables(text)
    joined = re.sub(r'\\\n', ' ', text)
    count = 0
    for n, line in enumerate(joined.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#") or '"$NSHAP"' not in line:
            continue
        after = line.split('"$NSHAP"', 1)[1]
        after = after.split("&")[0].split(">")[0].split("|")[0]
        try:
            tokens = shlex.split(after, comments=True)
        except ValueError as e:
            problem(f"{path}: cannot split '{after}': {e}")
            continue
        extra = []
        for t in re.findall(r'\$\{?([A-Za-z_][A-Za-z0-9_]*)', after):
            extra.extend(variables.get(t, []))
        literal = [t for t in tokens if not t.startswith("$")]
        # Variables expanded into both coordinator and worker lines are checked against each.
        check_invocation(nshap, f"{os.path.relpath(path, DEPLOY)}", literal, extra)
        count += 1
    if count == 0:
        problem(f"{path}: no nshap invocation found")
    return count

def check_flags(nshap):
    n = 0
    for path in glob.glob(os.path.join(DEPLOY, "local", "*.sh")) + glob.glob(os.path.join(DEPLOY, "slurm", "*.sbatch")):
        n += check_script(nshap, path)
    env = parse_env(os.path.join(DEPLOY, "systemd", "cluster.env"))
    for path in glob.glob(os.path.join(DEPLOY, "systemd", "*.service")):
        cp = read_unit(path)
        exec_start = cp["Service"]["ExecStart"]
        tokens = shlex.split(exec_start)
        if not tokens[0].endswith("/nshap"):
            problem(f"{path}: ExecStart does not run nshap")
            continue
        extra = []
        for var in re.findall(r'\$\{?([A-Z_]+)\}?', exec_start):
            extra.extend(re.findall(r'(--[a-z][a-z0-9-]*)', env.get(var, "")))
        check_invocation(nshap, os.path.relpath(path, DEPLOY), [t for t in tokens[1:] if not t.startswith("$")], extra)
        n += 1
    for doc, path in yaml_documents():
        for c in containers(doc):
            command = c.get("command", []) + c.get("args", [])
            if command and command[0].endswith("nshap"):
                check_invocation(nshap, f"{os.path.relpath(path, DEPLOY)} ({doc['kind']} {doc['metadata']['name']})", command[1:])
                n += 1
    print(f"flags: {n} nshap invocations checked")

# ---------------------------------------------------------------- Kubernetes

def yaml_documents():
    import yaml
    for path in sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc and doc.get("kind") != "Kustomization":
                    yield doc, path

def containers(doc):
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
    if not template:
        return []
    return template.get("spec", {}).get("containers", [])

def arg(c, flag):
    for a in c.get("args", []):
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None

def check_manifests():
    docs = list(yaml_documents())
    kinds = {(d["kind"], d["metadata"]["name"]): d for d, _ in docs}
    for d, path in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                problem(f"{path}: a document without {key}")
    deployment = kinds.get(("Deployment", "nshap-coordinator"))
    service = kinds.get(("Service", "nshap-coordinator"))
    job = kinds.get(("Job", "nshap-workers"))
    if not (deployment and service and job):
        problem("kubernetes: expected Deployment and Service 'nshap-coordinator' and Job 'nshap-workers'")
        return
    if ("PersistentVolumeClaim", "nshap-runs") not in kinds:
        problem("kubernetes: the coordinator's run directory needs the PersistentVolumeClaim 'nshap-runs'")
    if deployment["spec"].get("replicas") != 1 or deployment["spec"].get("strategy", {}).get("type") != "Recreate":
        problem("kubernetes: the coordinator must be a single replica with the Recreate strategy")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    if any(labels.get(k) != v for k, v in service["spec"]["selector"].items()):
        problem("kubernetes: the Service selector does not match the coordinator's pod labels")
    coordinator = containers(deployment)[0]
    for probe in ("readinessProbe", "livenessProbe"):
        p = coordinator.get(probe)
        if not p:
            problem(f"kubernetes: the coordinator has no {probe}")
        elif "httpGet" in p:
            port = p["httpGet"]["port"]
            names = {x["name"]: x["containerPort"] for x in coordinator.get("ports", [])}
            number = names.get(port, port)
            if str(number) != arg(coordinator, "--metrics-port"):
                problem(f"kubernetes: the coordinator's {probe} does not probe its --metrics-port")
    if arg(coordinator, "--metrics-host") != "0.0.0.0":
        problem("kubernetes: probes need --metrics-host=0.0.0.0")
    bind_port = (arg(coordinator, "--bind") or "").rsplit(":", 1)[-1]
    service_ports = {str(p["port"]): p for p in service["spec"]["ports"]}
    if bind_port not in service_ports:
        problem(f"kubernetes: the Service does not expose the coordinator's port {bind_port}")
    if job["spec"].get("completionMode") != "Indexed":
        problem("kubernetes: the worker Job should be Indexed")
    worker = containers(job)[0]
    connect = arg(worker, "--connect") or ""
    m = re.match(r"tcp://([^:]+):(\d+)$", connect)
    if not m or m.group(1) != service["metadata"]["name"] or m.group(2) not in service_ports:
        problem(f"kubernetes: workers connect to '{connect}', not to the coordinator's Service")
    for flag in ("--game", "--players"):
        if arg(worker, flag) != arg(coordinator, flag):
            problem(f"kubernetes: workers and coordinator disagree on {flag}")
    if not worker.get("livenessProbe"):
        problem("kubernetes: the workers have no livenessProbe")
    for name, c, owner in (("coordinator", coordinator, deployment), ("worker", worker, job)):
        volumes = {v["name"]: v for v in owner["spec"]["template"]["spec"].get("volumes", [])}
        for mount in c.get("volumeMounts", []):
            if mount["name"] not in volumes:
                problem(f"kubernetes: the {name} mounts an undefined volume {mount['name']}")
        keys = volumes.get("keys", {}).get("secret", {})
        paths = {i["path"] for i in keys.get("items", [])}
        for flag in ("--keys", "--allow", "--server-key"):
            value = arg(c, flag)
            if value and value.startswith("/keys/") and value[len("/keys/"):] not in paths:
                problem(f"kubernetes: the {name}'s {flag} {value} is not among the Secret items it mounts")
        mode = keys.get("defaultMode")
        if mode is not None and mode & 0o027:
            problem(f"kubernetes: the {name}'s key files would be readable by others (defaultMode {oct(mode)}); nshap refuses them")
    if shutil.which("kubectl"):
        r = subprocess.run(["kubectl", "kustomize", os.path.join(DEPLOY, "kubernetes")], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            problem(f"kubectl kustomize failed: {r.stderr.strip()}")
        else:
            print("manifests: kubectl kustomize builds them")
    print(f"manifests: {len(docs)} documents checked")

# ---------------------------------------------------------------- systemd

def read_unit(path):
    cp = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    cp.optionxform = str
    cp.read(path)
    return cp

def parse_env(path):
    env = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k] = v
    return env

def check_systemd(nshap):
    units = glob.glob(os.path.join(DEPLOY, "systemd", "*.service"))
    if len(units) < 2 or not any(u.endswith("@.service") for u in units):
        problem("systemd: expected a coordinator unit and a templated worker@ unit")
    env = parse_env(os.path.join(DEPLOY, "systemd", "cluster.env"))
    for path in units:
        cp = read_unit(path)
        for section in ("Unit", "Service", "Install"):
            if section not in cp:
                problem(f"{path}: no [{section}] section")
        for var in re.findall(r'\$\{?([A-Z_]+)\}?', cp["Service"].get("ExecStart", "")):
            if var not in env:
                problem(f"{path}: ExecStart uses ${var}, which cluster.env does not set")
    verifier = shutil.which("systemd-analyze")
    if not verifier:
        print("systemd: systemd-analyze not installed; INI checks only")
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(tmp + "/etc/nshap/keys")
        for name in ("coordinator.key", "worker.key", "allow.txt", "coordinator.pub"):
            open(f"{tmp}/etc/nshap/keys/{name}", "w").close()
        shutil.copy(os.path.join(DEPLOY, "systemd", "cluster.env"), tmp + "/etc/nshap/cluster.env")
        for path in units:
            text = open(path).read().replace("/usr/local/bin/nshap", nshap).replace("/etc/nshap", tmp + "/etc/nshap")
            name = os.path.basename(path).replace("@.service", "@1.service")
            with open(os.path.join(tmp, os.path.basename(path)), "w") as f:
                f.write(text)
            if name != os.path.basename(path):
                os.symlink(os.path.join(tmp, os.path.basename(path)), os.path.join(tmp, name))
            r = subprocess.run([verifier, "verify", "--man=no", os.path.join(tmp, name)], capture_output=True, text=True, timeout=60)
            relevant = [l for l in r.stderr.splitlines() if os.path.basename(path).split("@")[0] in l]
            # Unknown keys and bad values are warnings (status 0): any line about the unit counts.
            if relevant or r.returncode != 0:
                problem(f"systemd-analyze verify {os.path.basename(path)}: " + " | ".join(relevant))
        print(f"systemd: {len(units)} units verified with systemd-analyze")

# ---------------------------------------------------------------- running the scripts

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port

def run_local(nshap):
    before = len(problems)
    with tempfile.TemporaryDirectory() as tmp:
        for curve in (False, True):
            run_dir = os.path.join(tmp, "run-curve" if curve else "run-plain")
            cmd = [os.path.join(DEPLOY, "local", "nshap-cluster.sh"), "--workers", "2", "--run-dir", run_dir,
                   "--game-args", "--game noop --players 12", "--run-args", "--estimator permutation --samples 8"]
            if curve:
                cmd += ["--keys", os.path.join(tmp, "keys")]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ, NSHAP=nshap))
            if r.returncode != 0 or not os.path.exists(os.path.join(run_dir, "result.json")):
                problem(f"local script ({'curve' if curve else 'plain'}) failed with {r.returncode}: {r.stderr[-2000:]}")
        if len(problems) == before:
            print("local: the one-machine script ran a plain and a CURVE cluster to the end")

def run_slurm(nshap):
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["PATH"] = os.path.join(DEPLOY, "tests", "shims") + os.pathsep + env["PATH"]
        env.update(NSHAP=nshap, NSHAP_PORT=str(free_port()), NSHAP_RUN_DIR=os.path.join(tmp, "run"),
                   NSHAP_KEYS=os.path.join(tmp, "keys"), NSHAP_GAME_ARGS="--game noop --players 12",
                   NSHAP_RUN_ARGS="--estimator permutation --samples 8", SHIM_NODES="2")
        r = subprocess.run(["sbatch", os.path.join(DEPLOY, "slurm", "nshap.sbatch")], capture_output=True, text=True,
                           timeout=180, env=env, cwd=tmp)
        if r.returncode != 0 or not os.path.exists(os.path.join(tmp, "run", "result.json")):
            problem(f"slurm script failed with {r.returncode}: {r.stdout[-1000:]} {r.stderr[-2000:]}")
        elif not re.search(r"srun shim: 2 x \S*nshap worker", r.stderr):
            problem("slurm script: the workers were not started as one srun step of one task per node")
        else:
            print("slurm: the batch script ran to the end under fake sbatch/srun/scontrol")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nshap", required=True)
    ap.add_argument("--only", action="append", choices=["manifests", "flags", "systemd", "local", "slurm"])
    args = ap.parse_args()
    nshap = os.path.abspath(args.nshap)
    parts = args.only or ["manifests", "flags", "systemd", "local", "slurm"]
    if "manifests" in parts: check_manifests()
    if "flags" in parts: check_flags(nshap)
    if "systemd" in parts: check_systemd(nshap)
    if "local" in parts: run_local(nshap)
    if "slurm" in parts: run_slurm(nshap)
    if problems:
        print(f"{len(problems)} problem(s)")
        sys.exit(1)
    print("deploy: all checks passed")

if __name__ == "__main__":
    main()
