#!/bin/busybox sh
# PID 1 of the test VM: mount what the tests need, run them with results
# on the second serial port (the kernel log stays on the first), reboot.
/bin/busybox --install -s /bin
export PATH=/bin:/tt/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t tracefs nodev /sys/kernel/tracing
[ -d /sys/fs/bpf ] && mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
echo 1 > /proc/sys/kernel/printk_ratelimit 2>/dev/null
echo "nobody:x:65534:65534:nobody:/:/bin/sh" > /etc/passwd 2>/dev/null
cd /tt
sh /tt/tests/vm/guest.sh > /dev/ttyS1 2>&1
echo "TT-DONE rc=$?" > /dev/ttyS1
sync
reboot -f
