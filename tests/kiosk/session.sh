#!/usr/bin/env bash
# The kiosk session's files (packaging/kiosk), tested as far as a machine
# without systemd as PID 1 allows (CI containers, this sandbox):
# - the unit passes `systemd-analyze verify` with no warning, against the
#   system's own units and the package's files;
# - every shell script passes shellcheck and `bash -n` / `sh -n`;
# - the session wrapper, run for real with a fake screen (a DRM folder), a
#   fake console (a file), a fake cage (a script) and a fixed clock: no
#   screen -> a few checks, the message on the console, the reason on
#   stderr (the journal), exit 78 (the unit does not restart); a screen ->
#   cage runs the app with --kiosk and the station file, and its status is
#   passed on; too many starts in the window -> the message, exit 78,
#   cage not run; starts older than the window are forgotten;
# - enable and disable, run into a scratch root with a recording
#   systemctl: the files and unit states they change, undone exactly.
# What needs systemd as PID 1, logind and a real screen (the session on
# tty1, VT switching refused, restarts) is in docs/deployment.md's
# acceptance checklist.
#
# Plain bash, no framework: each `check` names what failed. Run by
# scripts/test; alone: bash tests/kiosk/session.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
kiosk=packaging/kiosk
root=$kiosk/root
wrapper=$root/usr/libexec/votekiosk/kiosk-session
failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- syntax -------------------------------------------------------------------
for f in "$wrapper" "$root"/usr/sbin/votekiosk-kiosk-enable "$root"/usr/sbin/votekiosk-kiosk-disable; do
  check "bash -n $f" bash -n "$f"
  check "executable $f" test -x "$f"
  if command -v shellcheck >/dev/null; then check "shellcheck $f" shellcheck "$f"; fi
done
for f in postinst prerm postrm; do
  printf '#!/bin/sh\nset -e\n' >"$scratch/$f"; cat "$kiosk/$f" >>"$scratch/$f"
  check "sh -n $kiosk/$f" sh -n "$scratch/$f"
  if command -v shellcheck >/dev/null; then check "shellcheck $kiosk/$f" shellcheck -s sh "$scratch/$f"; fi
done
check "kiosk.conf is plain shell assignments" bash -n "$root/etc/votekiosk/kiosk.conf"

# --- the unit -------------------------------------------------------------------
if command -v systemd-analyze >/dev/null && [[ -x /usr/bin/cage ]]; then
  vroot=$scratch/vroot
  mkdir -p "$vroot/usr/lib/systemd/system" "$vroot/usr/bin"
  cp -a /usr/lib/systemd/system/. "$vroot/usr/lib/systemd/system/"
  cp -a "$root/." "$vroot/"
  ln -s /usr/bin/cage "$vroot/usr/bin/cage"
  out=$(systemd-analyze verify --root="$vroot" /usr/lib/systemd/system/votekiosk-kiosk.service 2>&1)
  rc=$?
  check "systemd-analyze verify: status 0 ($rc)" test "$rc" -eq 0
  check "systemd-analyze verify: no warning ${out:+($out)}" test -z "$out"
  # The test can fail: a misspelt key is reported.
  sed 's/^TTYReset=no/TTYRest=no/' "$root/usr/lib/systemd/system/votekiosk-kiosk.service" \
    >"$vroot/usr/lib/systemd/system/votekiosk-kiosk.service"
  out=$(systemd-analyze verify --root="$vroot" /usr/lib/systemd/system/votekiosk-kiosk.service 2>&1)
  check "systemd-analyze verify reports a misspelt key" grep -q "Unknown key 'TTYRest'" <<<"$out"
else
  echo "FAIL systemd-analyze and cage are needed (scripts/setup installs them)"; failures=$((failures + 1))
fi
unit=$root/usr/lib/systemd/system/votekiosk-kiosk.service
check "unit: cage is never given -s (VT switching)" bash -c "! grep -hv '^[[:space:]]*#' '$unit' '$wrapper' | grep -E -- 'cage[^#]* -s( |\$)'"
check "unit: the wrapper's stop status is not restarted" grep -qx 'RestartPreventExitStatus=78' "$unit"
check "unit: runs as the kiosk user" grep -qx 'User=votekiosk-kiosk' "$unit"
check "logind drop-in: no automatic VTs" grep -qx 'NAutoVTs=0' "$root/usr/share/votekiosk/kiosk/logind.conf"

# --- the wrapper ----------------------------------------------------------------
# A fake cage: records its arguments, exits with $FAKE_CAGE_STATUS.
cat >"$scratch/cage" <<'CAGE'
#!/bin/bash
printf '%s\n' "$@" >>"$FAKE_CAGE_LOG"
exit "${FAKE_CAGE_STATUS:-0}"
CAGE
chmod +x "$scratch/cage"
cat >"$scratch/kiosk.conf" <<CONF
STATION="/srv/station one.vkstation"
DISPLAY_CHECKS=3
DISPLAY_CHECK_SECS=0
MAX_STARTS=3
START_WINDOW_SECS=600
CONF
run_wrapper() { # run_wrapper NAME -> $scratch/NAME.{out,err,tty}, status in $status
  local name=$1
  : >"$scratch/$name.tty"
  VOTEKIOSK_KIOSK_CONF=$scratch/kiosk.conf VOTEKIOSK_KIOSK_TTY=$scratch/$name.tty \
    VOTEKIOSK_KIOSK_DRM=$scratch/drm VOTEKIOSK_KIOSK_STATE=$scratch/state \
    VOTEKIOSK_KIOSK_CAGE=$scratch/cage VOTEKIOSK_KIOSK_APP=/usr/bin/votekiosk-app \
    FAKE_CAGE_LOG=$scratch/cage.log \
    bash "$wrapper" >"$scratch/$name.out" 2>"$scratch/$name.err"
  status=$?
}

# No screen: a disconnected HDMI output and nothing else.
mkdir -p "$scratch/drm/card0-HDMI-A-1" "$scratch/drm/card0"
echo disconnected >"$scratch/drm/card0-HDMI-A-1/status"
: >"$scratch/cage.log"
VOTEKIOSK_KIOSK_NOW=1000000 run_wrapper noscreen
check "no screen: exit 78 (no restart) [$status]" test "$status" -eq 78
check "no screen: cage not started" test ! -s "$scratch/cage.log"
check "no screen: the console says so" grep -q "NO SCREEN FOUND" "$scratch/noscreen.tty"
check "no screen: the console says what to do" grep -q "cable is plugged in" "$scratch/noscreen.tty"
check "no screen: the console says it will not retry" grep -q "will not try again" "$scratch/noscreen.tty"
check "no screen: 3 checks in the journal" test "$(grep -c 'no connected screen (check' "$scratch/noscreen.err")" -eq 3
check "no screen: the journal names the output seen" grep -q "card0-HDMI-A-1=disconnected" "$scratch/noscreen.err"
check "no screen: the journal says why it stops" grep -q "stopping: no screen after 3 checks" "$scratch/noscreen.err"
check "no screen: no start counted" test ! -s "$scratch/state/starts"

# A screen: the app runs in cage, full screen, in kiosk mode, on the station file.
echo connected >"$scratch/drm/card0-HDMI-A-1/status"
FAKE_CAGE_STATUS=0 VOTEKIOSK_KIOSK_NOW=1000000 run_wrapper first
check "screen: cage's status is passed on [$status]" test "$status" -eq 0
check "screen: cage -d -- app --kiosk STATION" diff <(printf '%s\n' -d -- /usr/bin/votekiosk-app --kiosk "/srv/station one.vkstation") "$scratch/cage.log"
check "screen: no -s (VT switching) given to cage" bash -c "! grep -qx -- -s '$scratch/cage.log'"
check "screen: one start counted" test "$(wc -l <"$scratch/state/starts")" -eq 1
: >"$scratch/cage.log"
FAKE_CAGE_STATUS=1 VOTEKIOSK_KIOSK_NOW=1000100 run_wrapper crash
check "crash: status 1 passed on, so the unit restarts [$status]" test "$status" -eq 1
check "crash: the console says it restarts" grep -q "starts again in a few seconds" "$scratch/crash.tty"
check "crash: the journal has the status" grep -q "the app ended with status 1" "$scratch/crash.err"
FAKE_CAGE_STATUS=1 VOTEKIOSK_KIOSK_NOW=1000200 run_wrapper crash2
check "third start within the window still runs [$status]" test "$status" -eq 1
: >"$scratch/cage.log"
FAKE_CAGE_STATUS=1 VOTEKIOSK_KIOSK_NOW=1000300 run_wrapper loop
check "too many starts: exit 78 (no restart) [$status]" test "$status" -eq 78
check "too many starts: cage not started" test ! -s "$scratch/cage.log"
check "too many starts: the console says so" grep -q "KEEPS STOPPING" "$scratch/loop.tty"
check "too many starts: the console says what to do" grep -q "call the" "$scratch/loop.tty"
check "too many starts: the journal says why" grep -q "stopping: 3 starts within 600s (limit 3)" "$scratch/loop.err"
# Ten minutes after the first start, it is forgotten: one more start allowed.
FAKE_CAGE_STATUS=0 VOTEKIOSK_KIOSK_NOW=1000650 run_wrapper later
check "a start older than the window is forgotten [$status]" test "$status" -eq 0
check "later: cage ran" test -s "$scratch/cage.log"
# A console that cannot be written: still runs, the journal says so.
: >"$scratch/cage.log"
rm -rf "$scratch/state"
VOTEKIOSK_KIOSK_CONF=$scratch/kiosk.conf VOTEKIOSK_KIOSK_TTY=$scratch/no/such/tty \
  VOTEKIOSK_KIOSK_DRM=$scratch/drm VOTEKIOSK_KIOSK_STATE=$scratch/state \
  VOTEKIOSK_KIOSK_CAGE=$scratch/cage FAKE_CAGE_LOG=$scratch/cage.log FAKE_CAGE_STATUS=2 \
  bash "$wrapper" >/dev/null 2>"$scratch/notty.err"
status=$?
check "no console: the app still runs, status passed on [$status]" test "$status" -eq 2
check "no console: the journal says so" grep -q "could not write to" "$scratch/notty.err"

# --- enable and disable ---------------------------------------------------------
sysroot=$scratch/sys
mkdir -p "$sysroot"
cp -a "$root/." "$sysroot/"
cat >"$scratch/systemctl" <<'SC'
#!/bin/bash
echo "$*" >>"$FAKE_SYSTEMCTL_LOG"
SC
chmod +x "$scratch/systemctl"
export FAKE_SYSTEMCTL_LOG=$scratch/systemctl.log
env_root=(env VOTEKIOSK_KIOSK_ROOT="$sysroot" VOTEKIOSK_KIOSK_SYSTEMCTL="$scratch/systemctl")
before=$(cd "$sysroot" && find . -type f | sort | xargs sha256sum)
: >"$FAKE_SYSTEMCTL_LOG"
"${env_root[@]}" bash "$root/usr/sbin/votekiosk-kiosk-enable" --station '/srv/x;rm -rf' >/dev/null 2>"$scratch/bad.err"
status=$?
check "enable: a path with shell characters is refused [$status]" test "$status" -eq 2
check "enable: the refusal changed nothing" test "$(cd "$sysroot" && find . -type f | sort | xargs sha256sum)" = "$before"
check "enable: the refusal called no systemctl" test ! -s "$FAKE_SYSTEMCTL_LOG"
"${env_root[@]}" bash "$root/usr/sbin/votekiosk-kiosk-enable" --station /srv/votekiosk/lakeview-2.vkstation >"$scratch/enable.out" 2>&1
status=$?
check "enable: succeeds [$status] $(cat "$scratch/enable.out")" test "$status" -eq 0
check "enable: logind drop-in installed" grep -qx 'NAutoVTs=0' "$sysroot/etc/systemd/logind.conf.d/votekiosk-kiosk.conf"
check "enable: sysrq off" grep -qx 'kernel.sysrq = 0' "$sysroot/etc/sysctl.d/60-votekiosk-kiosk.conf"
check "enable: the station path is set" grep -qx 'STATION=/srv/votekiosk/lakeview-2.vkstation' "$sysroot/etc/votekiosk/kiosk.conf"
check "enable: one STATION line" test "$(grep -c '^STATION=' "$sysroot/etc/votekiosk/kiosk.conf")" -eq 1
check "enable: masks getty@tty1 and Ctrl+Alt+Del" grep -qx 'mask getty@tty1.service ctrl-alt-del.target' "$FAKE_SYSTEMCTL_LOG"
check "enable: enables the unit" grep -qx 'enable votekiosk-kiosk.service' "$FAKE_SYSTEMCTL_LOG"
check "enable: says where the station file is" grep -q "lakeview-2.vkstation" "$scratch/enable.out"
: >"$FAKE_SYSTEMCTL_LOG"
"${env_root[@]}" bash "$root/usr/sbin/votekiosk-kiosk-disable" >"$scratch/disable.out" 2>&1
status=$?
check "disable: succeeds [$status]" test "$status" -eq 0
check "disable: drop-ins removed" test ! -e "$sysroot/etc/systemd/logind.conf.d/votekiosk-kiosk.conf" -a ! -e "$sysroot/etc/sysctl.d/60-votekiosk-kiosk.conf"
check "disable: disables the unit" grep -qx 'disable votekiosk-kiosk.service' "$FAKE_SYSTEMCTL_LOG"
check "disable: unmasks getty@tty1 and Ctrl+Alt+Del" grep -qx 'unmask getty@tty1.service ctrl-alt-del.target' "$FAKE_SYSTEMCTL_LOG"
check "disable: keeps the station setting" grep -qx 'STATION=/srv/votekiosk/lakeview-2.vkstation' "$sysroot/etc/votekiosk/kiosk.conf"

echo
if ((failures)); then echo "kiosk session: $failures check(s) failed"; exit 1; fi
echo "kiosk session: all checks passed"
