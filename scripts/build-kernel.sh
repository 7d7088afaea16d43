#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the VM kernel (bzImage + modules) of $TREE into $KOBJ and stage the
# modules under $KOBJ/mods.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/config.sh"
log "building $(git -C "$TREE" describe --tags --always) in $KOBJ (-j$JOBS, ccache $CCACHE_DIR)"
start=$(date +%s)
kmake -s bzImage modules
rm -rf "$KOBJ/mods"
kmake -s INSTALL_MOD_PATH="$KOBJ/mods" INSTALL_MOD_STRIP=1 modules_install >/dev/null
log "kernel built in $(( $(date +%s) - start ))s"
