#!/usr/bin/env bash
# The Debian package, built, installed and run as production runs it: `bash .ci/deb.sh` as root on a
# throwaway Debian machine (called by .ci/run). It builds target/debian/grotius_*.deb with cargo-deb
# (a release build), checks what the package holds, installs it with dpkg, checks the unit with
# systemd-analyze, initialises an instance in /var/lib/grotius as the user grotius, starts
# /usr/bin/grotius as grotius.service would (that user, its environment file, no new privileges,
# no capabilities, write-xor-execute memory; no systemd runs as PID 1 in CI, so not through
# systemctl), checks /healthz, the sign-in page and a sign-in, stops it, then checks that
# `dpkg -r` keeps the data and that `dpkg --purge` removes the data, the configuration and the user.
#
# It never touches a /var/lib/grotius holding files it did not create (it refuses to run), and
# purges what an earlier run of its own left behind, so it can run twice on one machine.
# CARGO=cargo-slot (or another wrapper) is used for the builds when set.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
LOCKED=()
[ -f Cargo.lock ] && LOCKED=(--locked)
# Written into the data directory by this script: an instance carrying it is ours to purge.
MARKER=/var/lib/grotius/.created-by-ci-deb-sh
WORK=$(mktemp -d /tmp/grotius-ci-deb.XXXXXX)
chmod 0755 "$WORK"
SERVER_PID=""

START=$SECONDS
say() { echo "deb.sh [$((SECONDS - START)) s]: $*"; }
die() {
  echo ".ci/deb.sh: ERROR: $*" >&2
  exit 1
}
cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ $status -ne 0 ] && [ -s "$WORK/server.log" ]; then
    echo "--- server log ($WORK/server.log), last 40 lines:" >&2
    tail -n 40 "$WORK/server.log" >&2 || true
  fi
  [ $status -eq 0 ] && rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "run as root: it installs and purges the package and creates a system user"
command -v dpkg >/dev/null || die "dpkg not found: this check needs a Debian-based machine"

# --- tools -----------------------------------------------------------------------------------
need=()
command -v curl >/dev/null || need+=(curl)
command -v adduser >/dev/null || need+=(adduser)
command -v deb-systemd-helper >/dev/null || need+=(init-system-helpers)
command -v python3 >/dev/null || need+=(python3)
# systemd-analyze checks the unit file (the package systemd; it does not need systemd running).
command -v systemd-analyze >/dev/null || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${need[@]}" || die "apt-get install ${need[*]} failed"
fi

# --- leftovers ---------------------------------------------------------------------------------
# An earlier run's package, user and data are removed; an instance this script did not create
# (a /var/lib/grotius with files but without its marker) is never touched.
if [ -d /var/lib/grotius ] && [ -n "$(ls -A /var/lib/grotius)" ] && [ ! -e "$MARKER" ]; then
  die "/var/lib/grotius holds files this script did not create; it installs and purges the package (which deletes /var/lib/grotius): run it on a throwaway machine"
fi
if dpkg-query -W -f='${Status}' grotius 2>/dev/null | grep -qv "not-installed" || [ -e /var/lib/grotius ] ||
  getent passwd grotius >/dev/null || getent group grotius >/dev/null; then
  say "removing what an earlier run of this script left behind"
  dpkg --purge grotius || die "dpkg --purge grotius (an earlier run's package) failed"
  rm -rf /var/lib/grotius
  if getent passwd grotius >/dev/null; then userdel grotius; fi
  if getent group grotius >/dev/null; then groupdel grotius; fi
fi

# --- build ---------------------------------------------------------------------------------------
if cargo deb --version >/dev/null 2>&1; then
  say "$(cargo deb --version) present"
else
  say "installing cargo-deb 3.8.0 (cargo install cargo-deb --version 3.8.0 --locked)"
  t=$SECONDS
  # Pinned: cargo-deb warns that a later release will refuse the dev profile CI packs.
  "$CARGO" install cargo-deb --version 3.8.0 --locked || die "cargo install cargo-deb failed"
  say "cargo-deb installed in $((SECONDS - t)) s"
fi
rm -f "$TARGET_DIR"/debian/grotius_*.deb
# GROTIUS_DEB_PROFILE (default release): .ci/run passes `dev`, packing the debug binary its tests
# built, because a release build costs 10–20 more minutes on 2 cores; the package's files, scripts,
# unit and the way it runs are the same. Packages to ship are built with the release profile.
PROFILE="${GROTIUS_DEB_PROFILE:-release}"
say "cargo deb -p grotius --fast --profile $PROFILE"
t=$SECONDS
# --fast: lighter xz compression. The same binary; packing its ~65 MB at the default level takes
# about two minutes on a CI machine, and this package is checked, not shipped.
"$CARGO" deb -p grotius --fast --profile "$PROFILE" -- "${LOCKED[@]}" || die "cargo deb -p grotius failed"
say "cargo deb took $((SECONDS - t)) s"
debs=("$TARGET_DIR"/debian/grotius_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || die "expected one package in $TARGET_DIR/debian, found: ${debs[*]}"
DEB="${debs[0]}"
say "package $DEB ($(du -h "$DEB" | cut -f1))"

# --- what the package holds ---------------------------------------------------------------------
dpkg-deb --info "$DEB" >"$WORK/info"
dpkg-deb --contents "$DEB" >"$WORK/contents"
grep -E '^ (Package|Version|Architecture|Depends|Section|Priority|Maintainer):' "$WORK/info" | sed 's/^ /  /'
expect_entry() { # mode path
  grep -qE "^$1 (root/root|0/0) .* \./$2\$" "$WORK/contents" || {
    cat "$WORK/contents" >&2
    die "the package does not hold ./$2 with mode $1"
  }
}
expect_entry -rwxr-xr-x usr/bin/grotius
expect_entry -rw-r----- etc/grotius/grotius.env
expect_entry -rw-r--r-- usr/lib/systemd/system/grotius.service
dpkg-deb --ctrl-tarfile "$DEB" | tar -x -O ./conffiles 2>/dev/null | grep -qx /etc/grotius/grotius.env ||
  die "/etc/grotius/grotius.env is not a conffile of the package (an upgrade would overwrite an operator's configuration)"
for s in postinst postrm prerm; do
  dpkg-deb --ctrl-tarfile "$DEB" | tar -t 2>/dev/null | grep -qx "./$s" || die "the package has no $s script"
done
say "package contents: binary, conffile (0640), unit, maintainer scripts"

# --- install -------------------------------------------------------------------------------------
dpkg -i "$DEB" || die "dpkg -i $DEB failed"
getent passwd grotius >/dev/null || die "postinst did not create the user grotius"
[ "$(getent passwd grotius | cut -d: -f7)" = /usr/sbin/nologin ] || die "the user grotius has a login shell"
[ "$(stat -c '%U:%G %a' /var/lib/grotius)" = "grotius:grotius 750" ] ||
  die "/var/lib/grotius is $(stat -c '%U:%G %a' /var/lib/grotius), expected grotius:grotius 750"
[ "$(stat -c '%U:%G %a' /etc/grotius/grotius.env)" = "root:grotius 640" ] ||
  die "/etc/grotius/grotius.env is $(stat -c '%U:%G %a' /etc/grotius/grotius.env), expected root:grotius 640"
# Installing the same package again runs the upgrade path of the scripts: nothing may change or fail.
dpkg -i "$DEB" || die "installing the package a second time (the upgrade path) failed"
say "installed: $(/usr/bin/grotius --version); user $(id grotius)"

UNIT=/usr/lib/systemd/system/grotius.service
systemd-analyze verify "$UNIT" 2>&1 | tee "$WORK/verify"
# Without systemd running, verify cannot load the units the file orders itself after; anything
# else it reports is a problem with the file.
if grep -v -E "(postgresql|network-online)\.(service|target)" "$WORK/verify" | grep -q .; then
  die "systemd-analyze verify reports problems with $UNIT (above)"
fi
say "systemd-analyze verify: no problems"
systemd-analyze security --offline=yes "$UNIT" >"$WORK/security" 2>&1 ||
  die "systemd-analyze security --offline=yes $UNIT failed: $(tail -n 3 "$WORK/security")"
say "systemd-analyze security: $(grep -i 'overall exposure' "$WORK/security")"

# --- an instance, served as the unit serves it -------------------------------------------------
# The service cannot start before this: the unit asserts the key file exists.
grep -qx 'AssertPathExists=/var/lib/grotius/keyring.json' "$UNIT" || die "the unit no longer asserts an initialised instance"
PASSWORD="ci deb check $(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
touch "$MARKER"
(cd / && runuser -u grotius -- env -i PATH=/usr/bin:/bin GROTIUS_ADMIN_PASSWORD="$PASSWORD" \
  /usr/bin/grotius init --data /var/lib/grotius --admin ci-admin) || die "grotius init as the user grotius failed"
[ -f /var/lib/grotius/keyring.json ] || die "grotius init wrote no /var/lib/grotius/keyring.json"
[ "$(stat -c %U /var/lib/grotius/keyring.json)" = grotius ] || die "the key file is not owned by grotius"

# The unit's environment: its Environment= lines and the EnvironmentFile= (KEY=VALUE lines,
# # comments, optional quotes), on a clean environment with what systemd sets for User=. The port
# is a free one, not the file's 8080, which a CI machine may have in use.
mapfile -t UNIT_ENV < <(
  sed -n 's/^Environment=//p' "$UNIT"
  sed -e 's/^[[:space:]]*//' -e '/^#/d' -e '/^$/d' /etc/grotius/grotius.env |
    sed -E 's/^([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/\1=\2/'
)
grep -q '^GROTIUS_DATA=/var/lib/grotius$' <(printf '%s\n' "${UNIT_ENV[@]}") || die "the configuration does not set GROTIUS_DATA=/var/lib/grotius"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
# No new privileges, an empty capability bounding set (setpriv: NoNewPrivileges=,
# CapabilityBoundingSet=), UMask=0027, and PR_SET_MDWE: the kernel's refusal of writable-and-
# executable memory, what MemoryDenyWriteExecute= enforces (systemd with a seccomp filter).
cat >"$WORK/mdwe-exec.py" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit("deb.sh: this kernel cannot refuse writable-and-executable memory (PR_SET_MDWE, Linux >= 6.3): "
             + os.strerror(ctypes.get_errno()))
assert libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) & PR_MDWE_REFUSE_EXEC_GAIN
os.execv(sys.argv[1], sys.argv[1:])
EOF
say "starting /usr/bin/grotius serve as grotius.service does, on $URL"
(
  cd /
  umask 0027
  exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    HOME=/var/lib/grotius USER=grotius LOGNAME=grotius SHELL=/usr/sbin/nologin \
    "${UNIT_ENV[@]}" GROTIUS_BIND="127.0.0.1:$PORT" \
    setpriv --reuid=grotius --regid=grotius --init-groups --no-new-privs \
    --bounding-set=-all --inh-caps=-all \
    /usr/bin/python3 "$WORK/mdwe-exec.py" /usr/bin/grotius serve
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 60); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID" && rc=0 || rc=$?
    SERVER_PID=""
    die "the server exited (status $rc) before it answered"
  fi
  curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null && break
  sleep 0.5
done
code=$(curl -sS -o "$WORK/health" -w '%{http_code}' "$URL/healthz") || die "no answer from $URL/healthz within 30 s"
[ "$code" = 200 ] && [ "$(cat "$WORK/health")" = ok ] || die "$URL/healthz answered $code '$(cat "$WORK/health")', expected 200 'ok'"
say "/healthz: ok"
# Every wrapper above exec()s: the process started is the server itself.
[ "$(ps -o user=,comm= -p "$SERVER_PID" | tr -s ' ')" = "grotius grotius" ] ||
  die "the server does not run as the user grotius: $(ps -o user=,comm= -p "$SERVER_PID")"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$SERVER_PID/status" || die "the server may gain privileges (NoNewPrivs is not set)"
grep -q '^CapBnd:[[:space:]]*0*$' "/proc/$SERVER_PID/status" || die "the server's capability bounding set is not empty"

# The sign-in page, then a sign-in as the administrator `grotius init` created (TLS is on in the
# configuration, so the cookies are Secure: they are passed by hand over this plain connection).
code=$(curl -sS -D "$WORK/login.headers" -o "$WORK/login.html" -w '%{http_code}' "$URL/login")
[ "$code" = 200 ] || die "GET /login answered $code"
grep -q 'name="password"' "$WORK/login.html" || die "GET /login has no password field"
grep -qi '^strict-transport-security:' "$WORK/login.headers" || die "GROTIUS_TLS=true, yet /login sent no HSTS header"
pre=$(sed -n 's/^[Ss]et-[Cc]ookie: grotius_pre=\([^;]*\);.*Secure.*/\1/p' "$WORK/login.headers" | tr -d '\r')
csrf=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -n 1 | sed 's/.*value="//; s/"$//')
[ -n "$pre" ] && [ -n "$csrf" ] || die "GET /login set no Secure grotius_pre cookie or no _csrf field"
say "GET /login: 200, the sign-in form, HSTS, a Secure cookie"
code=$(curl -sS -D "$WORK/signin.headers" -o /dev/null -w '%{http_code}' -H "Cookie: grotius_pre=$pre" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "username=ci-admin" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "next=/" "$URL/login")
[ "$code" = 303 ] && grep -qi '^set-cookie: grotius_session=' "$WORK/signin.headers" ||
  die "signing in as ci-admin answered $code without a session (expected 303 and a grotius_session cookie)"
session=$(sed -n 's/^[Ss]et-[Cc]ookie: grotius_session=\([^;]*\);.*/\1/p' "$WORK/signin.headers" | tr -d '\r')
for path in / "/search?q=agreement"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: grotius_session=$session" "$URL$path")
  [ "$code" = 200 ] || die "GET $path signed in as ci-admin answered $code, expected 200"
done
say "signed in as ci-admin (the administrator grotius init created); the overview and a search answer 200"

kill -TERM "$SERVER_PID"
rc=0
for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
kill -0 "$SERVER_PID" 2>/dev/null && die "the server did not stop within 30 s of SIGTERM"
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
[ $rc -eq 0 ] || die "the server exited with status $rc on SIGTERM (expected 0)"
grep -q 'shutting down' "$WORK/server.log" || die "the server log has no 'shutting down'"
say "stopped on SIGTERM (exit 0)"
(cd / && runuser -u grotius -- /usr/bin/grotius audit verify --data /var/lib/grotius) ||
  die "grotius audit verify failed on the instance the service wrote"

# --- remove keeps, purge deletes -----------------------------------------------------------------
dpkg -r grotius || die "dpkg -r grotius failed"
[ ! -e /usr/bin/grotius ] || die "dpkg -r left /usr/bin/grotius"
[ -f /var/lib/grotius/keyring.json ] && [ -f /var/lib/grotius/grotius.db ] ||
  die "dpkg -r removed the instance in /var/lib/grotius; only purge may"
[ -f /etc/grotius/grotius.env ] || die "dpkg -r removed the configuration; only purge may"
getent passwd grotius >/dev/null || die "dpkg -r removed the user grotius; only purge may"
say "dpkg -r: program gone; data, key files, configuration and user kept"
dpkg --purge grotius || die "dpkg --purge grotius failed"
[ ! -e /var/lib/grotius ] || die "dpkg --purge left /var/lib/grotius"
[ ! -e /etc/grotius ] || die "dpkg --purge left /etc/grotius"
! getent passwd grotius >/dev/null || die "dpkg --purge left the user grotius"
! getent group grotius >/dev/null || die "dpkg --purge left the group grotius"
dpkg-query -W -f='${Status}' grotius 2>/dev/null | grep -qv "not-installed" && die "dpkg still lists grotius after purge"
say "dpkg --purge: data, configuration, user and group gone"
say "all checks passed"
