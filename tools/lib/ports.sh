# Sourced by the harness scripts. free_port: prints a TCP port on 127.0.0.1 that nothing
# listens on. Ports come from below the kernel's ephemeral range, so that outgoing
# connections (which take ephemeral ports) cannot grab one between this check and the
# server's bind; a caller that still loses the race retries with another port.
free_port() {
  local low=20000 high=32767 p
  if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
    read -r eph _ </proc/sys/net/ipv4/ip_local_port_range
    [ "$eph" -gt $((low + 1000)) ] && high=$((eph - 1))
  fi
  for _ in $(seq 1 200); do
    p=$((low + RANDOM % (high - low)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "free_port: no free port found" >&2; return 1
}
