#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the VM kernel in $KOBJ under QEMU (TCG: /dev/kvm here is a slow
# software implementation) and capture the serial console.
#   run.sh LOG SUITES [extra kernel args]   batch: hard timeout $VM_TIMEOUT
#   run.sh --interactive                    make vm: a shell on the console
. "$(dirname "$0")/../../scripts/lib.sh"

VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_MEM=${VM_MEM:-4G}		# >4 GiB guest-physical for the coherent memmap=
VM_CPUS=${VM_CPUS:-2}
# memmap=: two 256 MiB "special purpose memory" ranges for test_hmm's
# coherent devices (guest RAM above 4 GiB).
CMDLINE="console=ttyS0,115200 panic=-1 loglevel=7 nokaslr \
memmap=256M!0x100000000 memmap=256M!0x110000000"
# KASAN kernels boot with 4-level paging: identify_cpu() zeroes
# boot_cpu_data's capabilities before it reads them back, and an interrupt
# in that window (wide under TCG) sees no LA57, so KASAN takes the 5-level
# direct map for a wild address and its report turns lockdep off for the
# whole run. The code under test does not depend on the paging depth.
grep -qx CONFIG_KASAN=y "$KOBJ/.config" 2>/dev/null && CMDLINE+=" no5lvl"

qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max
      -smp "$VM_CPUS,sockets=$VM_CPUS" -m "$VM_MEM" -no-reboot -display none -nic none
      -kernel "$KOBJ/arch/x86/boot/bzImage" -initrd "$KOBJ/initramfs.cpio.gz"
      -drive "file=$KOBJ/nvme.img,if=none,id=nvm,format=raw"
      -device nvme,serial=devmap0,cmb_size_mb=16,drive=nvm)

# An NVMe namespace for p2pmem O_DIRECT I/O; its CMB is registered as p2pmem.
truncate -s 64M "$KOBJ/nvme.img"

"$TOP/tests/vm/mkinitramfs.sh" >/dev/null
if [ "${1:-}" = --interactive ]; then
	exec "${qemu[@]}" -serial mon:stdio -append "$CMDLINE devmap.suites=shell"
fi

logf=$1 suites=$2; shift 2
mkdir -p "$(dirname "$logf")"
log "booting VM: suites=$suites (console: $logf, timeout ${VM_TIMEOUT}s)"
start=$(date +%s)
rc=0
timeout --foreground -k 10 "$VM_TIMEOUT" "${qemu[@]}" -serial "file:$logf" \
	-append "$CMDLINE devmap.suites=$suites $*" </dev/null || rc=$?
log "VM exited rc=$rc after $(( $(date +%s) - start ))s"
[ "$rc" = 124 ] && echo "@@ RESULT vm timeout fail" >> "$logf"
grep -q '^@@ DONE' "$logf" || echo "@@ RESULT vm reached-end fail" >> "$logf"
exit 0
