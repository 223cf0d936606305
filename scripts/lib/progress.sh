# with_progress WHAT CMD...: runs a long, quiet command (apt-get, npm ci, make) with its output in
# a log file, and prints a line every KG_PROGRESS_EVERY seconds (default 15) while it works, with
# the last line the command wrote, so a first run never sits silent for minutes. On success the
# log is removed; on failure its end is printed with its path, and the command's status returned.
# Needs log.sh.
with_progress() {
  local what=$1 log start pid every=${KG_PROGRESS_EVERY:-15} next last
  shift
  log=$(mktemp "${TMPDIR:-/tmp}/kg-progress.XXXXXX")
  start=$SECONDS
  next=$every
  step "$what"
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    if (( SECONDS - start >= next )); then
      last=$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-100)
      step "  still working: $((SECONDS - start))s${last:+, last: $last}"
      next=$((next + every))
    fi
  done
  if wait "$pid"; then
    rm -f "$log"
    step "  done in $((SECONDS - start))s"
    return 0
  else
    local status=$?
    tail -n 30 "$log" >&2
    warn "failed after $((SECONDS - start))s (exit $status): $what (full log: $log)"
    return "$status"
  fi
}
