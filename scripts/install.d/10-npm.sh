# npm dependencies, from the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  with_progress "installing npm dependencies (npm ci)" npm ci --no-audit --no-fund --loglevel=error
fi
