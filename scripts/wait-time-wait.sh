#!/usr/bin/env bash
# Waits (up to 90 s) until fewer than MAX loopback sockets are in TIME_WAIT.
# Every io run leaves one per connection for 60 s; a run that starts while tens of
# thousands linger spends its time in the kernel hunting for a free port, so the
# benchmark waits for them to drain instead of timing that. Usage: wait-time-wait.sh MAX
max=${1:-4000}
for _ in $(seq 90); do
    # State 06 is TIME_WAIT in /proc/net/tcp{,6}.
    n=$(awk 'FNR > 1 && $4 == "06"' /proc/net/tcp /proc/net/tcp6 2>/dev/null | wc -l)
    [ "$n" -lt "$max" ] && exit 0
    sleep 1
done
exit 0
