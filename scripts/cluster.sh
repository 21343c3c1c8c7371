#!/usr/bin/env bash
# cluster.sh — a local Ferry cluster on loopback: a 3-node ZooKeeper ensemble and 3 brokers.
#
#   scripts/cluster.sh start [work-dir]    start (default work dir: ./cluster-data)
#   scripts/cluster.sh stop  [work-dir]    stop everything started from that work dir
#   scripts/cluster.sh status [work-dir]   show which recorded processes are alive
#
# Ports (override with the environment): ZooKeeper clients ZK_PORT_BASE+1..3 (default 22181..22183),
# quorum/election ZK_PEER_BASE+1..3 / ZK_ELECTION_BASE+1..3, brokers BROKER_PORT_BASE+1..3
# (default 19093..19095). Broker N has broker.id=N. Every process is recorded in <work-dir>/pids.
# See docs/cluster.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
work="$(mkdir -p "${2:-./cluster-data}" && cd "${2:-./cluster-data}" && pwd)"
pids="$work/pids"
ZK_PORT_BASE="${ZK_PORT_BASE:-22180}"
ZK_PEER_BASE="${ZK_PEER_BASE:-22880}"
ZK_ELECTION_BASE="${ZK_ELECTION_BASE:-23880}"
BROKER_PORT_BASE="${BROKER_PORT_BASE:-19092}"
N=3

classpath() {
  local tools="$root/ferry-tools/target"
  if ! ls "$tools"/ferry-tools-*.jar >/dev/null 2>&1 || [ ! -d "$tools/lib" ]; then
    echo "cluster: building (first run)..." >&2
    (cd "$root" && mvn -q -B -DskipTests package) >&2
  fi
  echo "$(ls "$tools"/ferry-tools-*.jar | head -n 1):$tools/lib/*"
}

wait_for_port() { # port seconds
  local deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "cluster: port $1 not open after $2 s" >&2; return 1; fi
    sleep 0.2
  done
}

zk_connect() {
  local s="" i
  for i in $(seq 1 $N); do s="$s${s:+,}127.0.0.1:$((ZK_PORT_BASE + i))"; done
  echo "$s"
}

start() {
  if [ -s "$pids" ]; then
    echo "cluster: $pids exists; run '$0 stop $work' first" >&2
    exit 1
  fi
  local cp; cp="$(classpath)"
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  for i in $(seq 1 $N); do
    local d="$work/zk$i"
    mkdir -p "$d/data"
    echo "$i" > "$d/data/myid"
    {
      echo "tickTime=2000"
      echo "initLimit=10"
      echo "syncLimit=5"
      echo "dataDir=$d/data"
      echo "clientPort=$((ZK_PORT_BASE + i))"
      echo "clientPortAddress=127.0.0.1"
      echo "admin.enableServer=false"
      echo "4lw.commands.whitelist=ruok,stat"
      for j in $(seq 1 $N); do
        echo "server.$j=127.0.0.1:$((ZK_PEER_BASE + j)):$((ZK_ELECTION_BASE + j))"
      done
    } > "$d/zoo.cfg"
    nohup "$java" -Xmx256m -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain \
      "$d/zoo.cfg" > "$d/zookeeper.log" 2>&1 &
    echo "zk$i $!" >> "$pids"
  done
  for i in $(seq 1 $N); do wait_for_port $((ZK_PORT_BASE + i)) 30; done
  echo "ZooKeeper ensemble: $(zk_connect)"

  for i in $(seq 1 $N); do
    local d="$work/broker$i"
    mkdir -p "$d"
    FERRY_HEAP_OPTS="${FERRY_HEAP_OPTS:--Xmx512m}" nohup "$root/bin/ferry" start \
      --override broker.id=$i \
      --override listeners=PLAINTEXT://127.0.0.1:$((BROKER_PORT_BASE + i)) \
      --override log.dirs="$d/logs" \
      --override zookeeper.connect="$(zk_connect)/ferry-cluster" \
      --override default.replication.factor=3 \
      --override min.insync.replicas=2 \
      --override offsets.topic.replication.factor=3 \
      > "$d/broker.log" 2>&1 &
    echo "broker$i $!" >> "$pids"
  done
  for i in $(seq 1 $N); do wait_for_port $((BROKER_PORT_BASE + i)) 90; done
  local bootstrap="" i
  for i in $(seq 1 $N); do bootstrap="$bootstrap${bootstrap:+,}127.0.0.1:$((BROKER_PORT_BASE + i))"; done
  echo "Ferry brokers: $bootstrap (logs in $work/broker*/broker.log)"
}

stop() {
  if [ ! -f "$pids" ]; then
    echo "cluster: nothing recorded in $pids" >&2
    return 0
  fi
  # Brokers first (clean shutdown moves leadership and needs ZooKeeper), then the ensemble.
  local kind
  for kind in broker zk; do
    local p=()
    while read -r name pid; do
      case "$name" in
        "$kind"*) if kill -0 "$pid" 2>/dev/null; then kill "$pid"; p+=("$pid"); fi ;;
      esac
    done < "$pids"
    local deadline=$((SECONDS + 30)) pid
    for pid in "${p[@]}"; do
      while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    done
  done
  rm -f "$pids"
  echo "cluster stopped"
}

status() {
  [ -f "$pids" ] || { echo "not running"; return 0; }
  while read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then echo "$name pid $pid alive"; else echo "$name pid $pid dead"; fi
  done < "$pids"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
