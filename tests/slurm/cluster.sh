#!/usr/bin/env bash
# A private one-node Slurm cluster on localhost for tests/slurm_test.ts: munged + slurmctld +
# slurmd (2 CPUs), with their config, sockets, state and logs all under DIR.
#   cluster.sh start DIR   → prints "export SLURM_CONF=DIR/slurm.conf" once the node is idle
#   cluster.sh stop DIR    → stops the three daemons started for DIR
# Needs root and Debian's slurm-wlm + munge packages.
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
case "$cmd" in
start)
  mkdir -p "$dir"/{state,spool,log,munge}
  chmod 700 "$dir/munge"
  # A fresh munge key of our own: nothing shared with a system munged.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munge.seed"
  port=$((20000 + RANDOM % 20000))
  cpus=2
  cat >"$dir/slurm.conf" <<CONF
ClusterName=reprotest
SlurmctldHost=$(hostname -s)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobRequeue=1
SlurmdTimeout=30
MinJobAge=600
NodeName=$(hostname -s) CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$(hostname -s) Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -i -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for _ in $(seq 1 60); do
    state=$(sinfo -h -o %t 2>/dev/null || true)
    if [ "$state" = "idle" ]; then
      echo "export SLURM_CONF=$SLURM_CONF"
      exit 0
    fi
    sleep 0.5
  done
  echo "slurm node did not become idle (state: ${state:-none}); logs in $dir/log" >&2
  exit 1
  ;;
stop)
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  ;;
*) echo "usage: cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
