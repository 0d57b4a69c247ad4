# Sourced by the harness scripts. free_port: prints a TCP port on 127.0.0.1 that nothing
# listens on (random in 20000-59999, up to 200 tries).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "free_port: no free port found" >&2; return 1
}
