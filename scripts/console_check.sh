#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# console_check.sh LOG: fail if a guest console shows a kernel splat (oops,
# BUG, WARN, lockdep, list corruption, a kmemleak report) or did not reach
# the end of its /init (VST-DONE). Prints what it found.
set -u
log=$1
bad=0

splats='Oops|BUG:|WARNING: CPU:|Kernel panic|------------\[ cut here \]|'
splats+='possible recursive locking|possible circular locking|'
splats+='inconsistent lock state|suspicious RCU usage|'
splats+='sleeping function called from invalid context|'
splats+='list_add corruption|list_del corruption|Unexpected TCEs|'
splats+='unreferenced object|lockdep: |'
# kmemleak turning itself off (its own allocations failed) would blind
# the leak oracle
splats+='kmemleak: Cannot allocate a kmemleak_object|'
splats+='Kernel memory leak detector disabled'

# KNOWN_BOOT_SPLAT: a kernel's own warning at boot, before /init (and so
# before any module of ours), known and documented (see check.sh): then
# the console is checked from /init on
from=1
if [ -n "${KNOWN_BOOT_SPLAT:-}" ] &&
   sed '/^VST-BOOTED/q' "$log" | grep -aqF -- "$KNOWN_BOOT_SPLAT"; then
	from=$(grep -an '^VST-BOOTED' "$log" | head -n1 | cut -d: -f1)
	echo "console: known kernel warning before /init ($KNOWN_BOOT_SPLAT); checked from /init on (line ${from:-1})"
fi
# The platform's known leak (scripts/kmemleak_known.py) is reported, not
# failed
if tail -n +"${from:-1}" "$log" |
   python3 "$(dirname "$0")/kmemleak_known.py" /dev/stdin | grep -aEn "$splats"; then
	echo "console: kernel splat in $log"
	bad=1
fi
if ! grep -aq '^VST-DONE' "$log"; then
	echo "console: /init did not finish (hang, panic or crash); see $log"
	bad=1
fi
exit $bad
