#!/usr/bin/env bash
# Measures the dashboard server's memory over a demo run (docs/DASHBOARD.md, "Memory"): the demo without its own
# dashboard, `tandem dashboard` in a JVM of its own against the demo's Kafka and Flink REST, one headless chromium
# page kept open on it (so state is pushed all along), and every 30 s the dashboard JVM's heap after a full GC and
# its resident set. Usage: scripts/dashboard-memory.sh [SECONDS] [OUT_DIR]   (default 600 s, target/dashboard-memory)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
out="${2:-target/dashboard-memory}"
mkdir -p "$out"
./tandem --version >/dev/null # builds when stale, before anything is timed
./tandem demo --duration $((seconds + 90)) --no-dashboard >"$out/demo.out" 2>"$out/demo.err" &
demo=$!
trap 'kill $demo $dash $browser 2>/dev/null || true' EXIT
dash=""; browser=""
for _ in $(seq 1 180); do
  grep -q "REST http" "$out/demo.err" 2>/dev/null && break
  sleep 1
done
bootstrap=$(sed -n 's/^demo: Kafka at \([^ ]*\) .*/\1/p' "$out/demo.err")
rest=$(sed -n 's/.*; REST \(http[^ ]*\).*/\1/p' "$out/demo.err")
echo "kafka $bootstrap, flink $rest"
TANDEM_JAVA_OPTS="-Xmx256m -XX:+UseSerialGC" ./tandem dashboard --bootstrap "$bootstrap" --flink-rest "$rest" \
  --duration $((seconds + 30)) >"$out/dashboard.out" 2>"$out/dashboard.err" &
dash=$!
for _ in $(seq 1 60); do grep -q "^dashboard: http" "$out/dashboard.out" 2>/dev/null && break; sleep 1; done
url=$(sed -n 's/^dashboard: \(http.*\)/\1/p' "$out/dashboard.out")
echo "dashboard $url (pid $dash)"
profile=$(mktemp -d)
chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-port=0 --user-data-dir="$profile" \
  --window-size=1600,1200 "$url" >/dev/null 2>&1 &
browser=$!
echo "seconds,heap_used_after_gc_kb,rss_kb,load1" >"$out/memory.csv"
start=$(date +%s)
while [ $(( $(date +%s) - start )) -le "$seconds" ]; do
  jcmd "$dash" GC.run >/dev/null
  # young + old generation after the full GC (Metaspace's line has no "total")
  used=$(jcmd "$dash" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | awk '{s += $1} END {print s}')
  rss=$(awk '/VmRSS/ {print $2}' /proc/"$dash"/status)
  echo "$(( $(date +%s) - start )),$used,$rss,$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/memory.csv"
  sleep 30
done
curl -s "${url}state" >"$out/state.json"
kill "$browser" 2>/dev/null || true
rm -rf "$profile"
echo "done: $out/memory.csv"
